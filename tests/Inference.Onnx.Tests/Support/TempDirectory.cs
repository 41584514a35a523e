namespace Inference.Onnx.Tests.Support;

/// <summary>A fresh folder under the temp path, deleted (made writable first) on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = Directory.CreateTempSubdirectory("onnx-tests-").FullName;
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        var directory = new DirectoryInfo(Path);
        if (!directory.Exists)
        {
            return;
        }

        if (!OperatingSystem.IsWindows())
        {
            // A test may have made the folder read-only.
            directory.UnixFileMode |= UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.UserRead;
            foreach (var file in directory.EnumerateFiles())
            {
                file.UnixFileMode |= UnixFileMode.UserWrite;
            }
        }

        directory.Delete(recursive: true);
    }
}

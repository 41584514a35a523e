using Inference.Preprocessing.Resize;

namespace Inference.Preprocessing.Tests.Resize;

public sealed class CropGeometryTests
{
    [Theory]
    [InlineData(500, 375, 341, 256)]
    [InlineData(375, 500, 256, 341)]
    [InlineData(773, 512, 386, 256)]
    [InlineData(256, 256, 256, 256)]
    [InlineData(37, 23, 411, 256)]
    [InlineData(4000, 3000, 341, 256)]
    [InlineData(1920, 1080, 455, 256)]
    public void ResizedSize_ShorterSide_FollowsTorchvision(int width, int height, int expectedWidth, int expectedHeight)
    {
        var size = CropGeometry.ResizedSize(width, height, PreprocessingSpec.ImageNet);

        Assert.Equal((expectedWidth, expectedHeight), size);
    }

    [Fact]
    public void ResizedSize_Stretch_IgnoresAspect()
    {
        var spec = PreprocessingSpec.ImageNet with { Resize = ResizeRule.Stretch, ResizeSize = 320 };

        Assert.Equal((320, 320), CropGeometry.ResizedSize(1920, 1080, spec));
    }

    [Theory]
    [InlineData(256, 224, 16)]
    [InlineData(341, 224, 58)] // 58.5 rounds half to even
    [InlineData(343, 224, 60)] // 59.5 rounds half to even
    [InlineData(225, 224, 0)] // 0.5 -> 0
    [InlineData(227, 224, 2)] // 1.5 -> 2
    [InlineData(224, 224, 0)]
    [InlineData(200, 224, -12)] // padded: 12 zero columns before
    [InlineData(201, 224, -11)] // padded: (23 // 2) before, 12 after
    public void CropOffset_FollowsTorchvisionRounding(int size, int crop, int expected)
    {
        Assert.Equal(expected, CropGeometry.CropOffset(size, crop));
    }
}

using System.Buffers;
using System.Text.Json;
using Inference.Contracts.OpenInference;

namespace Inference.Api.OpenInference;

/// <summary>Writes OIP REST bodies: infer responses (JSON, plus binary outputs when asked for) and statistics.</summary>
internal static class OipRestResponseWriter
{
    /// <summary>The JSON header and the binary outputs appended after it (empty when none is binary).</summary>
    public static (byte[] Json, List<byte[]> Binary) WriteInfer(OipInferResponse response)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var binary = new List<byte[]>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model_name", response.ModelName);
            json.WriteString("model_version", response.ModelVersion);
            if (!string.IsNullOrEmpty(response.Id))
            {
                json.WriteString("id", response.Id);
            }

            json.WriteStartArray("outputs");
            foreach (var output in response.Outputs)
            {
                json.WriteStartObject();
                json.WriteString("name", output.Name);
                json.WriteString("datatype", output.Datatype);
                json.WriteStartArray("shape");
                foreach (var dimension in output.Shape)
                {
                    json.WriteNumberValue(dimension);
                }

                json.WriteEndArray();
                if (output.BinaryData)
                {
                    var raw = output.Fp32 is not null ? OipTensorCodec.WriteFp32(output.Fp32) : OipTensorCodec.WriteBytes(output.Bytes ?? []);
                    binary.Add(raw);
                    json.WriteStartObject("parameters");
                    json.WriteNumber(OipNames.BinaryDataSizeParameter, raw.Length);
                    json.WriteEndObject();
                }
                else
                {
                    WriteData(json, output);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return (buffer.WrittenSpan.ToArray(), binary);
    }

    public static byte[] WriteStatistics(IEnumerable<ModelStatistics> models)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("model_stats");
            foreach (var model in models)
            {
                json.WriteStartObject();
                json.WriteString("name", model.Name);
                json.WriteString("version", model.Version);
                json.WriteNumber("last_inference", model.LastInference);
                json.WriteNumber("inference_count", model.InferenceCount);
                json.WriteNumber("execution_count", model.ExecutionCount);
                json.WriteStartObject("inference_stats");
                var stats = model.InferenceStats;
                WriteDuration(json, "success", stats.Success);
                WriteDuration(json, "fail", stats.Fail);
                WriteDuration(json, "queue", stats.Queue);
                WriteDuration(json, "compute_input", stats.ComputeInput);
                WriteDuration(json, "compute_infer", stats.ComputeInfer);
                WriteDuration(json, "compute_output", stats.ComputeOutput);
                json.WriteEndObject();
                json.WriteStartArray("batch_stats");
                foreach (var batch in model.BatchStats)
                {
                    json.WriteStartObject();
                    json.WriteNumber("batch_size", batch.BatchSize);
                    WriteDuration(json, "compute_input", batch.ComputeInput);
                    WriteDuration(json, "compute_infer", batch.ComputeInfer);
                    WriteDuration(json, "compute_output", batch.ComputeOutput);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteData(Utf8JsonWriter json, OipOutput output)
    {
        json.WriteStartArray("data");
        if (output.Fp32 is not null)
        {
            foreach (var value in output.Fp32)
            {
                WriteFp32(json, value);
            }
        }
        else
        {
            foreach (var value in output.Bytes ?? [])
            {
                json.WriteStringValue(value);
            }
        }

        json.WriteEndArray();
    }

    /// <summary>
    /// A finite value as a JSON number; NaN and ±Infinity as the bare tokens <c>NaN</c>, <c>Infinity</c> and
    /// <c>-Infinity</c>, as Triton writes them (rapidjson's kWriteNanAndInfFlag) and Python's json and Triton's
    /// clients read them. Strict JSON has no such numbers: clients that need exact bits ask for binary_data.
    /// </summary>
    private static void WriteFp32(Utf8JsonWriter json, float value)
    {
        if (float.IsFinite(value))
        {
            json.WriteNumberValue(value);
        }
        else
        {
            json.WriteRawValue(float.IsNaN(value) ? "NaN"u8 : value > 0 ? "Infinity"u8 : "-Infinity"u8, skipInputValidation: true);
        }
    }

    private static void WriteDuration(Utf8JsonWriter json, string name, StatisticDuration? duration)
    {
        json.WriteStartObject(name);
        json.WriteNumber("count", duration?.Count ?? 0);
        json.WriteNumber("ns", duration?.Ns ?? 0);
        json.WriteEndObject();
    }
}

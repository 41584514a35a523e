using Inference.Tools.Quantize;

return QuantizeCommand.Create().Parse(args).Invoke();

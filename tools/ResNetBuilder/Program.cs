using Inference.Tools.ResNetBuilder;

return BuilderCommand.Create().Parse(args).Invoke();

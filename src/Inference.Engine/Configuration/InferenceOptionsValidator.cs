using Microsoft.Extensions.Options;

namespace Inference.Engine.Configuration;

/// <summary>Source-generated validation: a bad setting fails start-up with a message naming the key.</summary>
[OptionsValidator]
public sealed partial class InferenceOptionsValidator : IValidateOptions<InferenceOptions>;

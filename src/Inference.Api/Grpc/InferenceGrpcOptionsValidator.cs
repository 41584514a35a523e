using Microsoft.Extensions.Options;

namespace Inference.Api.Grpc;

[OptionsValidator]
internal sealed partial class InferenceGrpcOptionsValidator : IValidateOptions<InferenceGrpcOptions>;

using Inference.Onnx.Graph;
using Inference.Onnx.Protos;

namespace Inference.Onnx.Quantization;

/// <summary>A node whose weight (and bias) become int8 per-channel (int32 bias) DequantizeLinear inputs.</summary>
/// <param name="NodeIndex">The node's position in the graph the plan was made for (the quantizer edits a copy).</param>
/// <param name="Axis">The weight's output-channel axis: 0 for Conv and Gemm transB = 1, 1 for Gemm transB = 0 and MatMul.</param>
public sealed record WeightSite(int NodeIndex, string Weight, string? Bias, int Axis, string Activation);

/// <summary>
/// Where Q/DQ pairs go, chosen so that ONNX Runtime's CPU QDQ fusions apply: every activation input and
/// output of a Conv, Gemm, MatMul or residual Add, with a Relu's output quantized in place of its
/// producer's (uint8 with zero point 0 makes the Relu redundant, and ORT drops it: ReluQuantFusion), and
/// a MaxPool's output quantized with its input's parameters (ORT then runs it on uint8). Tensors in
/// <c>keepFloat</c> (the embedding, graph outputs) get no Q/DQ, and a node fed by one stays float.
/// </summary>
public sealed class QdqPlan
{
    private static readonly HashSet<string> Pools = ["MaxPool"];

    private QdqPlan(IReadOnlyList<string> activations, IReadOnlyDictionary<string, string> tied, IReadOnlyList<WeightSite> weights)
    {
        Activations = activations;
        Tied = tied;
        Weights = weights;
    }

    /// <summary>The tensors to calibrate and quantize, in graph order.</summary>
    public IReadOnlyList<string> Activations { get; }

    /// <summary>Pool outputs quantized with the parameters of the tensor they map to (their input).</summary>
    public IReadOnlyDictionary<string, string> Tied { get; }

    public IReadOnlyList<WeightSite> Weights { get; }

    public static QdqPlan Create(GraphProto graph, IEnumerable<string> keepFloat)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(keepFloat);
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var floatOnly = keepFloat.Concat(graph.Output.Select(o => o.Name)).ToHashSet(StringComparer.Ordinal);
        var consumers = Consumers(graph);
        var chosen = new HashSet<string>(StringComparer.Ordinal);
        var order = new List<string>();
        var tied = new Dictionary<string, string>(StringComparer.Ordinal);
        var weights = new List<WeightSite>();

        bool Choose(string tensor)
        {
            var anchor = Anchor(tensor, consumers, floatOnly);
            if (floatOnly.Contains(anchor) || initializers.Contains(anchor))
            {
                return false;
            }

            if (tied.ContainsKey(anchor))
            {
                return true;
            }

            if (chosen.Add(anchor))
            {
                order.Add(anchor);
            }

            return true;
        }

        for (var index = 0; index < graph.Node.Count; index++)
        {
            var node = graph.Node[index];
            if (node.Domain is { Length: > 0 } && node.Domain != "ai.onnx")
            {
                continue;
            }

            switch (node.OpType)
            {
                case "Conv" or "Gemm" or "MatMul" when WeightSiteOf(node, index, initializers) is { } site:
                    if (!floatOnly.Contains(Anchor(site.Activation, consumers, floatOnly)) && Choose(site.Activation))
                    {
                        weights.Add(site);
                        Choose(node.Output[0]);
                    }

                    break;
                case "Add" when node.Input.Count == 2 && node.Input.All(i => !initializers.Contains(i)):
                    if (node.Input.All(i => !floatOnly.Contains(Anchor(i, consumers, floatOnly))))
                    {
                        Choose(node.Input[0]);
                        Choose(node.Input[1]);
                        Choose(node.Output[0]);
                    }

                    break;
                case var op when Pools.Contains(op) && node.Output.Count == 1 && chosen.Contains(node.Input[0]) &&
                                 !floatOnly.Contains(node.Output[0]):
                    tied[node.Output[0]] = node.Input[0];
                    break;
            }
        }

        return new QdqPlan(order, tied, weights);
    }

    /// <summary>The tensor that carries <paramref name="tensor"/>'s quantization: its Relu's output when a lone Relu consumes it.</summary>
    private static string Anchor(string tensor, Dictionary<string, List<NodeProto>> consumers, HashSet<string> floatOnly) =>
        !floatOnly.Contains(tensor) && consumers.TryGetValue(tensor, out var users) && users is [{ OpType: "Relu" } relu]
            ? relu.Output[0]
            : tensor;

    private static WeightSite? WeightSiteOf(NodeProto node, int index, HashSet<string> initializers)
    {
        if (node.Input.Count < 2 || !initializers.Contains(node.Input[1]) || initializers.Contains(node.Input[0]))
        {
            return null;
        }

        var bias = node.Input.Count > 2 && node.Input[2].Length > 0 ? node.Input[2] : null;
        if (bias is not null && !initializers.Contains(bias))
        {
            return null;
        }

        switch (node.OpType)
        {
            case "Conv":
                return new WeightSite(index, node.Input[1], bias, 0, node.Input[0]);
            case "MatMul":
                return new WeightSite(index, node.Input[1], null, 1, node.Input[0]);
            default:
                var plain = OnnxAttributes.GetInt(node, "transA", 0) == 0 &&
                            FloatAttribute(node, "alpha") == 1 && FloatAttribute(node, "beta") == 1;
                return plain
                    ? new WeightSite(index, node.Input[1], bias, OnnxAttributes.GetInt(node, "transB", 0) == 1 ? 0 : 1, node.Input[0])
                    : null;
        }
    }

    private static float FloatAttribute(NodeProto node, string name) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { HasF: true } attribute ? attribute.F : 1;

    private static Dictionary<string, List<NodeProto>> Consumers(GraphProto graph)
    {
        var consumers = new Dictionary<string, List<NodeProto>>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var input in node.Input.Distinct())
            {
                if (!consumers.TryGetValue(input, out var list))
                {
                    list = [];
                    consumers.Add(input, list);
                }

                list.Add(node);
            }
        }

        return consumers;
    }
}

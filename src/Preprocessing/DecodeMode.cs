namespace Inference.Preprocessing;

public enum DecodeMode
{
    /// <summary>Full decode, then Pillow's exact resize: identical to torchvision.</summary>
    Exact = 0,

    /// <summary>Large JPEGs are decoded at 1/2, 1/4 or 1/8 scale in the DCT domain first.</summary>
    Fast = 1,
}

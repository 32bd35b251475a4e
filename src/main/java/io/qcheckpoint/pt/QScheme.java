package io.qcheckpoint.pt;

/** A quantization scheme, as the {@code torch.qscheme} constants of the same names. */
public enum QScheme {
    PER_TENSOR_AFFINE("per_tensor_affine"),
    PER_CHANNEL_AFFINE("per_channel_affine"),
    PER_TENSOR_SYMMETRIC("per_tensor_symmetric"),
    PER_CHANNEL_SYMMETRIC("per_channel_symmetric"),
    PER_CHANNEL_AFFINE_FLOAT_QPARAMS("per_channel_affine_float_qparams");

    private final String torchName;

    QScheme(String torchName) {
        this.torchName = torchName;
    }

    /** Returns torch's name, e.g. {@code "per_tensor_affine"}. */
    public String torchName() {
        return torchName;
    }

    /**
     * Finds the scheme torch calls {@code name}.
     *
     * @param name the attribute name in the {@code torch} module
     * @return the scheme, or null when there is none of that name
     */
    public static QScheme fromTorchName(String name) {
        for (QScheme q : values()) {
            if (q.torchName.equals(name)) {
                return q;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "torch." + torchName;
    }
}

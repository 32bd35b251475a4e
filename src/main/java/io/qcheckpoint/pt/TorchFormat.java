package io.qcheckpoint.pt;

/** The container a {@code torch.save} file uses. */
public enum TorchFormat {
    /** The zip container of torch 1.6 and later. */
    TORCH_ZIP("torch-zip"),
    /** The concatenated-pickles container of torch before 1.6 ({@code _use_new_zipfile_serialization=False}). */
    TORCH_LEGACY("torch-legacy");

    private final String label;

    TorchFormat(String label) {
        this.label = label;
    }

    /** Returns the name used in {@code inspect --json}: {@code torch-zip} or {@code torch-legacy}. */
    public String label() {
        return label;
    }
}

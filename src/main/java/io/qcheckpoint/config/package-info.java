/**
 * The config layer: LPOT's tune config ({@code best_configure.yaml}, {@link io.qcheckpoint.config.TuneConfig},
 * read and written by {@link io.qcheckpoint.config.TuneConfigs}) and the IPEX 1.x calibration list
 * ({@code best_configure.json}, {@link io.qcheckpoint.config.IpexConfig}, {@link io.qcheckpoint.config.IpexConfigs}),
 * byte-compatible with what PyYAML and Python's {@code json} write for LPOT. Knows nothing of modules:
 * the values here are data, and the layers above give them meaning.
 *
 * <p>Reading never instantiates or runs anything a file names: YAML tags are checked against an
 * allowlist table before any value is built, and input size, nesting and alias expansion are bounded.
 * Errors are {@link io.qcheckpoint.pt.CheckpointFormatException} (naming file, line, key path and what
 * was expected) or {@link io.qcheckpoint.pt.UnsafeCheckpointException} (naming the refused tag and its line).
 */
package io.qcheckpoint.config;

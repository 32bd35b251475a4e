/**
 * Benchmarks behind {@code qcheckpoint bench}: they print throughput and ratios side by side in one
 * run and never assert speed (speed is measured here, not in unit tests).
 */
package io.qcheckpoint.cli.bench;

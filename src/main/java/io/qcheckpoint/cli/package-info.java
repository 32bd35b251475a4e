/**
 * The {@code qcheckpoint} command line: {@link io.qcheckpoint.cli.Main} and one class per
 * subcommand. Exit codes: 0 ok, 1 a check failed, 2 bad input or usage, 3 an internal error.
 */
package io.qcheckpoint.cli;

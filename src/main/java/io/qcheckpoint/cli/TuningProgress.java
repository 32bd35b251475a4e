package io.qcheckpoint.cli;

import io.qcheckpoint.tuning.StopReason;
import io.qcheckpoint.tuning.Trial;
import io.qcheckpoint.tuning.TuningListener;
import java.io.PrintWriter;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows a tuning run on the terminal: a progress bar over each trial's calibration batches (on
 * stderr, so that stdout keeps only results), and one line per trial.
 */
final class TuningProgress implements TuningListener, AutoCloseable {
    private final PrintWriter out;
    private final boolean bars;
    private ProgressBar bar;

    /**
     * Creates the listener.
     *
     * @param out where trial lines go
     * @param bars whether to draw progress bars (off for logs and pipes)
     */
    TuningProgress(PrintWriter out, boolean bars) {
        this.out = out;
        this.bars = bars;
    }

    @Override
    public void baseline(double score, long weightBytes) {
        out.printf(Locale.ROOT, "fp32 baseline: %.4f%n", score);
    }

    @Override
    public void trialStarted(int number, String change, long calibrationBatches) {
        if (bars && calibrationBatches > 0) {
            bar = new ProgressBarBuilder().setTaskName("trial " + number + " calibrating")
                    .setInitialMax(calibrationBatches).setStyle(ProgressBarStyle.ASCII).continuousUpdate()
                    .setUpdateIntervalMillis(100).build();
        }
    }

    @Override
    public void calibrationBatch(int batches) {
        if (bar != null) {
            bar.stepTo(batches);
        }
    }

    @Override
    public void trialFinished(Trial trial) {
        closeBar();
        out.printf(Locale.ROOT, "trial %d: %-40s score %.4f  loss %+.2f%%  %s%n", trial.number(), trial.change(),
                trial.score(), trial.loss() * 100, trial.criterionMet() ? "meets the criterion" : "does not");
    }

    @Override
    public void finished(StopReason reason, Trial best) {
        out.printf(Locale.ROOT, "stopped: %s; result: trial %d (%s)%n", reason.name().toLowerCase(Locale.ROOT)
                .replace('_', ' '), best.number(), best.change());
    }

    private void closeBar() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }

    /** Removes a bar left by a failed trial. */
    @Override
    public void close() {
        closeBar();
    }
}

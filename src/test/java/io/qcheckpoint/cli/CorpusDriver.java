package io.qcheckpoint.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs {@code qcheckpoint} on each argument in this JVM, which {@link CorpusUnderHeapLimitTest}
 * starts with a small heap, and prints one line per run:
 * {@code <exit code> <stderr line count> <first stderr line>}; {@code timeout} or
 * {@code error <Throwable>} when the run did not end with an exit code in time.
 *
 * <p>Arguments: the per-run limit in seconds, then runs as {@code command|arg|arg...}.
 */
public final class CorpusDriver {
    private CorpusDriver() {
    }

    /**
     * Runs the commands.
     *
     * @param args the limit in seconds, then one argument per run
     */
    public static void main(String[] args) throws Exception {
        long limit = Long.parseLong(args[0]);
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r);
            t.setDaemon(true);
            return t;
        });
        for (int i = 1; i < args.length; i++) {
            StringWriter err = new StringWriter();
            String[] run = args[i].split("\\|");
            Future<Integer> exit = pool.submit(() -> Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), run));
            String result;
            try {
                int code = exit.get(limit, TimeUnit.SECONDS);
                String[] lines = err.toString().strip().split("\n");
                result = code + " " + (err.toString().isBlank() ? 0 : lines.length) + " " + lines[0];
            } catch (TimeoutException e) {
                exit.cancel(true);
                result = "timeout";
            } catch (java.util.concurrent.ExecutionException e) {
                result = "error " + e.getCause();
            }
            System.out.println(result.replace('\n', ' '));
            System.out.flush();
        }
        System.exit(0);
    }
}

package io.qcheckpoint.lpot;

import io.qcheckpoint.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs many {@code qcheckpoint} command lines in one JVM, for {@link BadCheckpointsTest}: one
 * subprocess with a small heap for the whole corpus, rather than a JVM start per case. Each
 * argument file holds one command line, an argument a line; for each it prints one line:
 * {@code name TAB exit-code TAB stdout TAB stderr}, both Base64 (UTF-8). A command over its time limit prints
 * exit code -1 and ends the process.
 */
public final class BadCheckpointsCli {
    private BadCheckpointsCli() {
    }

    /**
     * Runs the command lines.
     *
     * @param args the seconds each command may take, then argument files
     * @throws Exception if an argument file cannot be read
     */
    public static void main(String... args) throws Exception {
        long limit = Long.parseLong(args[0]);
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r);
            t.setDaemon(true);
            return t;
        });
        for (String file : Arrays.asList(args).subList(1, args.length)) {
            List<String> command = new ArrayList<>(Files.readAllLines(Path.of(file)));
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            Future<Integer> exit = pool.submit(() -> Main.run(new PrintWriter(out), new PrintWriter(err),
                    command.toArray(String[]::new)));
            int code;
            try {
                code = exit.get(limit, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                System.out.println(Path.of(file).getFileName() + "\t-1\ttimed out");
                System.exit(1);
                return;
            }
            Base64.Encoder b64 = Base64.getEncoder();
            System.out.println(Path.of(file).getFileName() + "\t" + code + "\t"
                    + b64.encodeToString(out.toString().getBytes(StandardCharsets.UTF_8)) + "\t"
                    + b64.encodeToString(err.toString().getBytes(StandardCharsets.UTF_8)));
        }
        System.exit(0);
    }
}

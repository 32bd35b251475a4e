import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Checks the service of {@code ServeHttp.java}: its health, a malformed request, and concurrent
 * predictions against what PyTorch computed ({@code output.pt} of the example). Exits 1 on any
 * mismatch.
 *
 * <p>Usage: {@code java -cp ... examples/serve-http/ServeHttpClient.java HOST:PORT EXAMPLE_DIR}.
 *
 * <p>The int8 output is right when every logit lies within one output quantization step (the
 * checkpoint's {@code fc.scale}) of PyTorch's: the committed {@code output.pt} was computed on a CPU
 * with VNNI, and oneDNN's int8 kernels round some values a step apart on CPUs without it. Answers to
 * the same image must also be identical to each other, whichever worker served them.
 */
public final class ServeHttpClient {
    private static final int THREADS = 8;
    private static final int REQUESTS = 200;

    public static void main(String[] args) throws Exception {
        URI base = URI.create("http://" + args[0]);
        if (!base.getHost().equals("127.0.0.1")) {
            throw new IllegalArgumentException("the example only talks to 127.0.0.1, not " + base.getHost());
        }
        Path example = Path.of(args[1]);
        float[] images = ((Tensor) TorchFiles.read(example.resolve("input.pt")).root()).toFloatArray();
        float[] torch = ((Tensor) TorchFiles.read(example.resolve("output.pt")).root()).toFloatArray();
        double step = TorchFiles.readStateDict(example.resolve("checkpoint/best_model_weights.pt")).tensor("fc.scale").toDoubleArray()[0];
        int imageSize = images.length / 2;
        int classes = torch.length / 2;
        HttpClient http = HttpClient.newHttpClient();
        List<String> problems = new ArrayList<>();

        HttpResponse<String> health = http.send(HttpRequest.newBuilder(base.resolve("/health")).build(), HttpResponse.BodyHandlers.ofString());
        System.out.println("GET /health: " + health.statusCode() + " " + health.body());
        if (health.statusCode() != 200 || !health.body().equals("ok")) {
            problems.add("health: " + health.statusCode() + " " + health.body());
        }
        HttpResponse<String> bad = post(http, base, "1,2,3");
        System.out.println("POST /predict with 3 floats: " + bad.statusCode() + " " + bad.body());
        if (bad.statusCode() != 400 || !bad.body().contains("got 3")) {
            problems.add("a malformed request got " + bad.statusCode() + " " + bad.body());
        }

        String[] bodies = new String[2];
        for (int i = 0; i < 2; i++) {
            bodies[i] = IntStream.range(i * imageSize, (i + 1) * imageSize).mapToObj(j -> Float.toString(images[j]))
                    .collect(Collectors.joining(","));
        }
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<HttpResponse<String>>> answers = new ArrayList<>();
        for (int r = 0; r < REQUESTS; r++) {
            String body = bodies[r % 2];
            answers.add(pool.submit(() -> post(http, base, body)));
        }
        float[][] first = new float[2][];
        int exact = 0;
        double worst = 0;
        for (int r = 0; r < REQUESTS; r++) {
            HttpResponse<String> a = answers.get(r).get();
            if (a.statusCode() != 200) {
                problems.add("request " + r + ": " + a.statusCode() + " " + a.body());
                continue;
            }
            float[] logits = parse(a.body());
            int image = r % 2;
            float[] expected = Arrays.copyOfRange(torch, image * classes, (image + 1) * classes);
            if (first[image] == null) {
                first[image] = logits;
                double steps = logits.length == classes ? 0 : Double.POSITIVE_INFINITY;
                for (int k = 0; k < Math.min(classes, logits.length); k++) {
                    exact += logits[k] == expected[k] ? 1 : 0;
                    steps = Math.max(steps, Math.abs(logits[k] - expected[k]) / step);
                }
                worst = Math.max(worst, steps);
                if (steps > 1 + 1e-3) {     // one step, give or take the rounding of the difference in float
                    problems.add("image " + image + ": " + Arrays.toString(logits) + ", PyTorch: " + Arrays.toString(expected));
                }
            } else if (!Arrays.equals(first[image], logits)) {
                problems.add("request " + r + " answered image " + image + " differently: " + Arrays.toString(logits));
            }
        }
        pool.shutdown();
        System.out.printf("%d requests from %d threads: %d of %d logits equal PyTorch's, the largest difference %.2f output steps%n",
                REQUESTS, THREADS, exact, 2 * classes, worst);
        if (!problems.isEmpty()) {
            problems.forEach(p -> System.out.println("MISMATCH " + p));
            System.exit(1);
        }
        System.out.println("all answers agree with PyTorch");
    }

    private static HttpResponse<String> post(HttpClient http, URI base, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/predict")).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static float[] parse(String body) {
        String[] parts = body.split(",");
        float[] out = new float[parts.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = Float.parseFloat(parts[i]);
        }
        return out;
    }
}

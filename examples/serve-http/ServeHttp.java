import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.Batchifier;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.qcheckpoint.djl.LpotBlockFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Serves an LPOT checkpoint over HTTP with the JDK's {@link HttpServer} and DJL's {@link Predictor}.
 *
 * <p>Usage: {@code examples/serve-http/run}, which starts it, sends it concurrent requests from
 * {@code ServeHttpClient.java}, checks the answers against PyTorch's and stops it. By hand:
 * {@code java -Dai.djl.offline=true -cp "target/qcheckpoint-VERSION.jar:target/lib/*:CLASSES"
 * examples/serve-http/ServeHttp.java EXAMPLE_DIR PORT_FILE [WORKERS]}, with {@code RefNet.java} of
 * {@code examples/serve-lpot-checkpoint} compiled into CLASSES.
 *
 * <ul>
 * <li>Start-up: the checkpoint in {@code EXAMPLE_DIR/checkpoint} is loaded once through DJL's
 *     {@link Criteria} ({@link LpotBlockFactory} rebuilds it on {@code RefNet} with
 *     {@code EXAMPLE_DIR/fp32_weights.pt}); then the server listens on 127.0.0.1, on a free port
 *     that it writes into PORT_FILE.</li>
 * <li>{@code POST /predict}: one image, 3 x 8 x 8 floats separated by commas, in; its 10 logits,
 *     separated by commas, out ({@link Float#toString}: they parse back to the same floats). A
 *     malformed body gets 400 and a message.</li>
 * <li>{@code GET /health}: 200 {@code ok} once the model is loaded, 503 while stopping.</li>
 * <li>Concurrency: WORKERS threads (default 4) take a Predictor each from a pool of as many: a DJL
 *     Predictor is not thread-safe, the int8 model under them is.</li>
 * <li>Shutdown on SIGTERM or Ctrl-C: stop accepting, let requests in progress finish (up to 10 s),
 *     then close the predictors and the model.</li>
 * </ul>
 */
public final class ServeHttp {
    /** What one request holds: RefNet takes images [N, 3, H, W]; this service takes 8 x 8 ones. */
    static final Shape IMAGE = new Shape(3, 8, 8);

    public static void main(String[] args) throws Exception {
        Path example = Path.of(args[0]);
        Path portFile = Path.of(args[1]);
        int workers = args.length > 2 ? Integer.parseInt(args[2]) : 4;

        Criteria<float[], float[]> criteria = Criteria.builder()
                .setTypes(float[].class, float[].class)
                .optModelPath(example.resolve("checkpoint"))                     // best_configure.yaml + best_model_weights.pt
                .optArgument("blockFactory", LpotBlockFactory.class.getName())   // the checkpoint becomes the model's block
                .optOption("hasParameter", "false")                              // no DJL parameter file: the weights are the checkpoint's
                .optArgument("fp32Model", "RefNet")                              // the float model it was tuned from
                .optArgument("fp32Weights", example.resolve("fp32_weights.pt").toString())
                .optTranslator(new ImageTranslator())
                .build();
        ZooModel<float[], float[]> model = criteria.loadModel();
        BlockingQueue<Predictor<float[], float[]>> predictors = new ArrayBlockingQueue<>(workers);
        for (int i = 0; i < workers; i++) {
            predictors.add(model.newPredictor());
        }
        Service service = new Service(predictors);
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/predict", service::predict);
        server.createContext("/health", service::health);
        server.setExecutor(pool);
        server.start();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.stopping = true;
            server.stop(10);                 // closes the socket, waits for the exchanges in progress
            pool.shutdown();
            try {
                pool.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            predictors.forEach(Predictor::close);
            model.close();
            System.out.println("stopped after " + service.served.get() + " predictions");
            System.out.flush();
            stopped.countDown();
        }));
        int port = server.getAddress().getPort();
        Path tmp = Files.writeString(portFile.resolveSibling(portFile.getFileName() + ".tmp"), Integer.toString(port));
        Files.move(tmp, portFile, StandardCopyOption.ATOMIC_MOVE);   // the run script reads a whole number or none
        System.out.println("loaded " + example.resolve("checkpoint") + "; listening on http://127.0.0.1:" + port
                + " with " + workers + " workers");
        stopped.await();
    }

    /** The HTTP handlers over a pool of predictors. */
    static final class Service {
        private final BlockingQueue<Predictor<float[], float[]>> predictors;
        final AtomicLong served = new AtomicLong();
        volatile boolean stopping;

        Service(BlockingQueue<Predictor<float[], float[]>> predictors) {
            this.predictors = predictors;
        }

        void health(HttpExchange exchange) throws IOException {
            reply(exchange, stopping ? 503 : 200, stopping ? "stopping" : "ok");
        }

        void predict(HttpExchange exchange) throws IOException {
            if (!"POST".equals(exchange.getRequestMethod())) {
                reply(exchange, 405, "POST an image: " + IMAGE.size() + " floats separated by commas");
                return;
            }
            float[] image;
            try {
                image = parse(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                reply(exchange, 400, e.getMessage());
                return;
            }
            Predictor<float[], float[]> predictor = null;
            try {
                predictor = predictors.take();
                float[] logits = predictor.predict(image);
                served.incrementAndGet();
                reply(exchange, 200, format(logits));
            } catch (TranslateException | RuntimeException e) {
                reply(exchange, 500, "prediction failed: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                reply(exchange, 503, "stopping");
            } finally {
                if (predictor != null) {
                    predictors.add(predictor);
                }
            }
        }

        private static float[] parse(String body) {
            String[] parts = body.trim().split("\\s*,\\s*");
            if (parts.length != IMAGE.size()) {
                throw new IllegalArgumentException("an image is " + IMAGE.size() + " floats " + IMAGE + ", got " + parts.length);
            }
            float[] out = new float[parts.length];
            for (int i = 0; i < out.length; i++) {
                try {
                    out[i] = Float.parseFloat(parts[i]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("value " + i + " is not a float: " + parts[i]);
                }
            }
            return out;
        }

        private static String format(float[] values) {
            List<String> parts = new ArrayList<>(values.length);
            for (float v : values) {
                parts.add(Float.toString(v));
            }
            return String.join(",", parts);
        }

        private static void reply(HttpExchange exchange, int status, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** One image as floats in, its logits out; DJL stacks a batch of them into [N, 3, 8, 8]. */
    static final class ImageTranslator implements Translator<float[], float[]> {
        @Override
        public NDList processInput(TranslatorContext ctx, float[] image) {
            return new NDList(ctx.getNDManager().create(image, IMAGE));
        }

        @Override
        public float[] processOutput(TranslatorContext ctx, NDList list) {
            return list.head().toFloatArray();
        }

        @Override
        public Batchifier getBatchifier() {
            return Batchifier.STACK;
        }
    }
}

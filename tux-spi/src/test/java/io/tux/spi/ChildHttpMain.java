package io.tux.spi;

import com.sun.net.httpserver.HttpServer;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;

/**
 * Two unmodified JDK NIO programs in one child JVM: the JDK's HttpServer (ServerSocketChannel and Selector) and
 * HttpClient (SocketChannel and Selector), 20 requests; prints the responses' checksum and Tux's counters.
 */
public final class ChildHttpMain {

    public static void main(String[] args) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.createContext("/echo", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        int ok = 0;
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(20)).build()) {
            URI uri = URI.create("http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":"
                    + server.getAddress().getPort() + "/echo");
            for (int i = 0; i < 20; i++) {
                String body = "request " + i + " " + "x".repeat(i * 1000);
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                if (r.statusCode() == 200 && r.body().equals(body)) {
                    ok++;
                }
            }
        } finally {
            server.stop(0);
            ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
        }
        TuxMXBean c = Tux.counters();
        System.out.println("ok=" + ok);
        System.out.println("opened>=2=" + (c.getConnectionsOpened() >= 2) + " onTux=" + c.getConnectionsOnTux()
                + " kernelEqualsOpened=" + (c.getConnectionsOnKernel() == c.getConnectionsOpened()));
        System.out.println("bytesBothWays=" + (c.getBytesReadOnKernel() > 20_000 && c.getBytesWrittenOnKernel() > 20_000));
    }
}

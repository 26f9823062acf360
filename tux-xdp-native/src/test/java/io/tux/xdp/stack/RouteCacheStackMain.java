package io.tux.xdp.stack;

import io.tux.core.engine.Connection;
import io.tux.core.engine.EngineConfig;
import io.tux.core.stack.TuxUnavailableException;
import io.tux.xdp.route.RouteCache;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Child-JVM entry for {@link RouteCacheStackTest}: {@code RouteCacheStackMain <local address> <remote address>}
 * makes an {@link AfXdpStack} and, for each {@code open} line on stdin, opens a connection from a new local port
 * to a new remote port (the handshake runs unanswered in the background) and prints
 * {@code OPENED <misses> <hits> <invalidations>} of the stack's route cache; exits at the end of stdin.
 */
public final class RouteCacheStackMain {

    private RouteCacheStackMain() {}

    public static void main(String[] args) throws Exception {
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        int port = 7000;
        try (AfXdpStack stack = new AfXdpStack(EngineConfig.DEFAULT, 0)) {
            RouteCache cache = stack.routeCache();
            System.out.println("READY " + cache.caching());
            System.out.flush();
            for (String line; (line = stdin.readLine()) != null; ) {
                if (!line.equals("open")) continue;
                port++;
                try {
                    Connection c = stack.open(new InetSocketAddress(args[0], port),
                            new InetSocketAddress(args[1], port + 1000), 0, null);
                    c.abort();
                    System.out.println("OPENED " + cache.misses() + " " + cache.hits() + " " + cache.invalidations());
                } catch (TuxUnavailableException e) {
                    System.out.println("UNAVAILABLE " + e.reason() + " " + e.getMessage());
                }
                System.out.flush();
            }
        }
    }
}

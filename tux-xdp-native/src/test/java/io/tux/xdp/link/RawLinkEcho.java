package io.tux.xdp.link;

import io.tux.xdp.support.FixedRoutes;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Child-JVM program for the raw-link round trip: {@code RawLinkEcho IFNAME OWN_MAC PEER_MAC LOCAL_IP LOCAL_PORT
 * REMOTE_IP REMOTE_PORT}. Opens an AF_XDP link on IFNAME, prints {@code READY <mode>}, then busy-polls its rings
 * and sends every packet straight back on the route, until {@code exit} on stdin or 10 minutes.
 */
public final class RawLinkEcho {

    private RawLinkEcho() {}

    public static void main(String[] args) throws Exception {
        HexFormat hex = HexFormat.ofDelimiter(":");
        try (AfXdpLink link = AfXdpLink.open(args[0], 0,
                FixedRoutes.options(args[0], hex.parseHex(args[1]), hex.parseHex(args[2])))) {
            int route = link.openRoute(new InetSocketAddress(args[3], Integer.parseInt(args[4])),
                    new InetSocketAddress(args[5], Integer.parseInt(args[6])));
            AtomicBoolean stop = new AtomicBoolean();
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                    for (String l; (l = in.readLine()) != null && !l.equals("exit"); ) {
                        // wait for exit
                    }
                } catch (Exception e) {
                    // stdin gone: stop
                }
                stop.set(true);
            });
            System.out.println("READY " + link.socket().mode());
            System.out.flush();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            long echoed = 0;
            int[] count = {0};
            while (!stop.get() && System.nanoTime() < deadline) {
                count[0] = 0;
                link.poll((r, seg, off, len) -> {
                    while (!link.send(route, seg, off, len)) {
                        link.flush();
                    }
                    count[0]++;
                }, 64);
                if (count[0] > 0) {
                    link.flush();
                    echoed += count[0];
                }
            }
            System.out.println("ECHOED " + echoed);
        }
    }
}

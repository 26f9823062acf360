package io.tux.xdp.support;

import io.tux.xdp.link.AfXdpLink;
import io.tux.xdp.xsk.XdpUnavailableException;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Child-JVM program for lifecycle tests: opens an AF_XDP link on IFNAME queue QUEUE, registers one route,
 * prints "ATTACHED mode" (or "UNAVAILABLE reason"), then waits for "exit" on stdin and exits with
 * System.exit(0) without closing the link, so only the shutdown hook can detach the program.
 */
public final class LinkHolder {

    private LinkHolder() {}

    public static void main(String[] args) throws Exception {
        AfXdpLink link;
        try {
            link = AfXdpLink.open(args[0], Integer.parseInt(args[1]), io.tux.xdp.xsk.XdpSocket.Config.DEFAULT,
                    (i, ip) -> new byte[6]);
        } catch (XdpUnavailableException e) {
            System.out.println("UNAVAILABLE " + e.reason() + " " + e.getMessage());
            System.exit(3);
            return;
        }
        link.openRoute(new InetSocketAddress("10.77.201.1", 7001), new InetSocketAddress("10.77.201.2", 7002));
        System.out.println("ATTACHED " + link.socket().mode());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.equals("exit")) {
                System.exit(0);
            }
        }
        System.exit(0);
    }
}

package io.tux.xdp.route;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Child-JVM entry for {@link NetlinkChangesNetnsTest}: opens a {@link NetlinkChanges} watch in its namespace,
 * prints {@code OPEN}, then answers each {@code check} line on stdin with {@code CHANGED true|false}; exits at
 * the end of stdin.
 */
public final class NetlinkChangesMain {

    private NetlinkChangesMain() {
    }

    public static void main(String[] args) throws Exception {
        try (NetlinkChanges watch = NetlinkChanges.open();
             BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII))) {
            System.out.println("OPEN");
            System.out.flush();
            for (String line; (line = in.readLine()) != null; ) {
                if (line.equals("check")) {
                    System.out.println("CHANGED " + watch.changed());
                    System.out.flush();
                }
            }
        }
    }
}

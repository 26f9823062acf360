package io.tux.spi.netns;

import io.tux.spi.ConnectionMode;
import io.tux.spi.Tux;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Child JVM for {@link NetnsPeerCrashTest}. {@code server <bind address> <watchdog s>}: accepts one connection,
 * waits (bounded) until it is on Tux, sends "hello", reads one byte, prints {@code READY mode=..} and then blocks
 * in a read until it is killed. {@code client <server address> <port> <watchdog s>}: connects, waits (bounded)
 * until it is on Tux, reads "hello", sends one byte (so both directions of both ends moved to Tux), prints
 * {@code BLOCKED mode=..}, blocks in a read and prints {@code RESULT <what the read returned or threw>} and
 * {@code ENDED <System.nanoTime() when it ended>}.
 */
public final class CrashPeerMain {
    private CrashPeerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("server")) {
            Watchdog.start(Long.parseLong(args[2]));
            try (ServerSocketChannel ssc = ServerSocketChannel.open()) {
                ssc.bind(new InetSocketAddress(InetAddress.getByName(args[1]), 0));
                System.out.println("LISTENING " + ((InetSocketAddress) ssc.getLocalAddress()).getPort());
                SocketChannel ch = ssc.accept();
                awaitTux(ch);
                ch.write(ByteBuffer.wrap("hello".getBytes()));
                ByteBuffer one = ByteBuffer.allocate(1);
                while (one.hasRemaining() && ch.read(one) >= 0) {
                    // the client's byte
                }
                System.out.println("READY mode=" + Tux.mode(ch));
                ch.read(ByteBuffer.allocate(1)); // blocks until the test kills this process
                System.out.println("SERVER READ RETURNED");
            }
            return;
        }
        Watchdog.start(Long.parseLong(args[3]));
        try (SocketChannel ch = SocketChannel.open(
                new InetSocketAddress(InetAddress.getByName(args[1]), Integer.parseInt(args[2])))) {
            awaitTux(ch);
            ByteBuffer hello = ByteBuffer.allocate(5);
            while (hello.hasRemaining() && ch.read(hello) >= 0) {
                // the greeting
            }
            ch.write(ByteBuffer.wrap(new byte[] {1}));
            System.out.println("BLOCKED mode=" + Tux.mode(ch) + " hello=" + new String(hello.array(), 0, hello.position()));
            String result;
            try {
                result = "returned " + ch.read(ByteBuffer.allocate(100));
            } catch (java.io.IOException e) {
                result = "threw " + e.getClass().getName() + ": " + e.getMessage();
            }
            long ended = System.nanoTime(); // CLOCK_MONOTONIC: comparable with the test JVM's on this machine
            System.out.println("RESULT " + result);
            System.out.println("ENDED " + ended);
        }
    }

    private static void awaitTux(SocketChannel ch) {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (Tux.mode(ch) != ConnectionMode.TUX && System.nanoTime() - deadline < 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }
}

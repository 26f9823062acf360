package io.tux.xdp.testbed;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * A child-JVM TCP echo server for test-bed tests: {@code EchoServer <bindAddress> <port> <byteCount>} binds,
 * prints {@code LISTENING <port>}, accepts one connection, echoes exactly {@code byteCount} bytes back, closes
 * and exits 0. Exits 2 on its own after 30 seconds, so it can never outlive a broken test by long.
 */
public final class EchoServer {

    private EchoServer() {
    }

    public static void main(String[] args) throws IOException {
        Thread watchdog = Thread.ofPlatform().daemon().start(() -> {
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException e) {
                return;
            }
            System.exit(2);
        });
        InetAddress bind = InetAddress.getByName(args[0]);
        int port = Integer.parseInt(args[1]);
        long count = Long.parseLong(args[2]);
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(bind, port));
            System.out.println("LISTENING " + ((InetSocketAddress) server.getLocalAddress()).getPort());
            System.out.flush();
            try (SocketChannel client = server.accept()) {
                ByteBuffer buffer = ByteBuffer.allocate(8192);
                long echoed = 0;
                while (echoed < count) {
                    buffer.clear().limit((int) Math.min(buffer.capacity(), count - echoed));
                    if (client.read(buffer) < 0) {
                        break;
                    }
                    buffer.flip();
                    while (buffer.hasRemaining()) {
                        echoed += client.write(buffer);
                    }
                }
            }
        }
        watchdog.interrupt();
    }
}

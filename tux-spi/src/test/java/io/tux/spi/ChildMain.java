package io.tux.spi;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;

/**
 * The program {@link ChildJvmTest} runs in a child JVM: an unmodified-style NIO echo through the global
 * {@code SocketChannel.open()} / {@code Selector.open()}, printing what it observed on standard output.
 */
public final class ChildMain {

    public static void main(String[] args) throws Exception {
        System.out.println("provider=" + SelectorProvider.provider().getClass().getName());
        System.out.println("way=" + PlatformProvider.find().way());
        System.out.println("core=" + Class.forName("io.tux.core.link.Link").getName());
        try (ServerSocketChannel server = ServerSocketChannel.open();
                Selector sel = Selector.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            server.configureBlocking(false);
            server.register(sel, SelectionKey.OP_ACCEPT);
            try (SocketChannel client = SocketChannel.open(server.getLocalAddress())) {
                System.out.println("channel=" + client.getClass().getName());
                System.out.println("selector=" + sel.getClass().getName());
                client.write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)));
                SocketChannel accepted = null;
                ByteBuffer echo = ByteBuffer.allocate(5);
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (echo.hasRemaining() && System.nanoTime() < deadline) {
                    sel.select(1000);
                    for (SelectionKey k : sel.selectedKeys()) {
                        if (k.isAcceptable()) {
                            accepted = server.accept();
                            accepted.configureBlocking(false);
                            accepted.register(sel, SelectionKey.OP_READ);
                        } else if (k.isReadable()) {
                            ((SocketChannel) k.channel()).read(echo);
                        }
                    }
                    sel.selectedKeys().clear();
                }
                System.out.println("mode=" + Tux.mode(client) + " reason=" + Tux.fallbackReason(client));
                System.out.println("echo=" + new String(echo.array(), 0, echo.position(), StandardCharsets.US_ASCII));
                if (accepted != null) {
                    accepted.close();
                }
            }
        }
        System.out.println("installed=" + Tux.isInstalled());
        System.out.println("available=" + Tux.isAvailable() + " reason=" + Tux.unavailabilityReason());
    }
}

package io.tux.spi;

import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/** Started with a connected TCP socket as standard input (inetd style): uses {@code System.inheritedChannel()}. */
public final class ChildInheritedMain {

    public static void main(String[] args) throws Exception {
        Channel ch = System.inheritedChannel();
        System.out.println("inherited=" + (ch == null ? "null" : ch.getClass().getName()));
        if (ch instanceof SocketChannel sc) {
            System.out.println("mode=" + Tux.mode(sc) + " reason=" + Tux.fallbackReason(sc));
            sc.write(ByteBuffer.wrap("hi".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer b = ByteBuffer.allocate(2);
            while (b.hasRemaining() && sc.read(b) >= 0) {
                // read the answer
            }
            System.out.println("answer=" + new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII));
            sc.close();
        }
    }
}

package io.tux.xdp.frame;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.HexFormat;

/**
 * Child-JVM entry: {@code UdpSinkMain <bindIp> <port>} binds a kernel UDP socket, prints {@code READY}, then
 * {@code DATAGRAM <srcIp>:<srcPort> <hex>} for each datagram until killed (or 30 s pass).
 */
public final class UdpSinkMain {

    private UdpSinkMain() {
    }

    public static void main(String[] args) throws Exception {
        Thread.ofPlatform().daemon().start(() -> {
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException e) {
                return;
            }
            System.exit(2);
        });
        try (DatagramChannel channel = DatagramChannel.open()) {
            channel.bind(new InetSocketAddress(args[0], Integer.parseInt(args[1])));
            System.out.println("READY");
            ByteBuffer buffer = ByteBuffer.allocate(65536);
            while (true) {
                buffer.clear();
                InetSocketAddress from = (InetSocketAddress) channel.receive(buffer);
                buffer.flip();
                byte[] data = new byte[buffer.remaining()];
                buffer.get(data);
                System.out.println("DATAGRAM " + from.getAddress().getHostAddress() + ":" + from.getPort() + " "
                        + HexFormat.of().formatHex(data));
            }
        }
    }
}

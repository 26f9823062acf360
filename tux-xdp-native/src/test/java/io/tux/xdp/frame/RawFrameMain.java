package io.tux.xdp.frame;

import io.tux.xdp.route.RouteInfo;
import io.tux.xdp.route.RouteResolver;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.util.HexFormat;

/**
 * Child-JVM entry for the kernel interop tests, run inside a test-bed namespace:
 * <ul>
 *   <li>{@code capture <iface> <udpCount> <timeoutMs>}: prints {@code READY}, then {@code FRAME <hex>} for each
 *       IPv4/UDP frame seen on the interface until {@code udpCount} were seen or the time is up, then
 *       {@code DONE}.</li>
 *   <li>{@code txcsum <iface> on|off}: turns transmit checksum offload of the interface on or off (off makes
 *       the kernel complete UDP checksums in software before a frame leaves; on veth they otherwise cross
 *       the pair as CHECKSUM_PARTIAL, holding only the pseudo-header sum). Prints {@code TXCSUM on|off}.</li>
 *   <li>{@code send <localIp> <localPort> <remoteIp> <remotePort> <payloadHex> [corrupt]}: resolves the route
 *       with {@link RouteResolver}, writes the frame with its {@link FrameTemplate} and sends it through an
 *       AF_PACKET socket on the route's interface; {@code corrupt} flips a bit of the UDP checksum first.
 *       Prints {@code SENT <hex>}.</li>
 * </ul>
 */
public final class RawFrameMain {

    private RawFrameMain() {
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
        switch (args[0]) {
            case "capture" -> capture(args);
            case "send" -> send(args);
            case "txcsum" -> {
                try (RawSocket socket = new RawSocket(NetworkInterface.getByName(args[1]).getIndex(), 100)) {
                    socket.setTxChecksumOffload(args[1], args[2].equals("on"));
                }
                System.out.println("TXCSUM " + args[2]);
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void capture(String[] args) throws Exception {
        int ifIndex = NetworkInterface.getByName(args[1]).getIndex();
        int wanted = Integer.parseInt(args[2]);
        long deadline = System.nanoTime() + Long.parseLong(args[3]) * 1_000_000;
        try (RawSocket socket = new RawSocket(ifIndex, 100); Arena arena = Arena.ofConfined()) {
            System.out.println("READY");
            MemorySegment buffer = arena.allocate(65536);
            int seen = 0;
            while (seen < wanted && System.nanoTime() < deadline) {
                int n = socket.receive(buffer);
                if (n < 34 || buffer.get(ValueLayout.JAVA_BYTE, 12) != 0x08 || buffer.get(ValueLayout.JAVA_BYTE, 13) != 0
                        || buffer.get(ValueLayout.JAVA_BYTE, 23) != 17) {
                    continue;
                }
                System.out.println("FRAME " + HexFormat.of().formatHex(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE)));
                seen++;
            }
        }
        System.out.println("DONE");
    }

    private static void send(String[] args) throws Exception {
        InetSocketAddress local = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        InetSocketAddress remote = new InetSocketAddress(args[3], Integer.parseInt(args[4]));
        byte[] payload = HexFormat.of().parseHex(args[5]);
        RouteInfo route = new RouteResolver().resolve(local, remote);
        FrameTemplate template = route.frameTemplate(local, remote);
        try (RawSocket socket = new RawSocket(route.ifIndex(), 100); Arena arena = Arena.ofConfined()) {
            MemorySegment frame = arena.allocate(2048);
            MemorySegment.copy(MemorySegment.ofArray(payload), 0, frame, template.headerLength(), payload.length);
            template.write(frame, 0, payload.length);
            int length = template.frameLength(payload.length);
            if (args.length > 6 && args[6].equals("corrupt")) {
                long at = template.headerLength() - 1;
                frame.set(ValueLayout.JAVA_BYTE, at, (byte) (frame.get(ValueLayout.JAVA_BYTE, at) ^ 0x01));
            }
            socket.send(frame, length);
            System.out.println("SENT " + HexFormat.of().formatHex(frame.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE)));
        }
    }
}

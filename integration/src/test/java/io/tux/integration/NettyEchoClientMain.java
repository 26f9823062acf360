package io.tux.integration;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * Child JVM: an unmodified Netty NIO-transport client (two event-loop threads). Opens {@code connections}
 * connections to the echo server; on each it writes {@code bytes} bytes of the seeded {@link EchoPattern} while the
 * channel is writable (resuming when it becomes writable again) and checks every byte of the echo against the
 * pattern as it arrives; closes them once all came back, and prints {@code CLIENT connections=.. sent=<sum>
 * received=<sum> mismatch=<first wrong connection@position or -1> sentCrc=<the CRC32C values sent, distinct>
 * recvCrc=<received, distinct> millis=.. mbps=..}.
 *
 * <p>Arguments: server address, port, connections, bytes per connection, seed, watchdog seconds.
 */
public final class NettyEchoClientMain {
    private NettyEchoClientMain() {
    }

    public static void main(String[] args) throws Exception {
        InetSocketAddress server = new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1]));
        int connections = Integer.parseInt(args[2]);
        long perConnection = Long.parseLong(args[3]);
        EchoPattern pattern = new EchoPattern(Long.parseLong(args[4]));
        long watchdog = Long.parseLong(args[5]);
        Watchdog.start(watchdog);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        List<Client> clients = new ArrayList<>();
        List<Channel> channels = new ArrayList<>();
        try {
            long t0 = System.nanoTime();
            for (int i = 0; i < connections; i++) {
                Client client = new Client(pattern, perConnection);
                clients.add(client);
                channels.add(new Bootstrap().group(group).channel(NioSocketChannel.class)
                        .option(ChannelOption.TCP_NODELAY, true)
                        .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
                                new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                        .handler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel c) {
                                c.pipeline().addLast(client);
                            }
                        }).connect(server).sync().channel());
            }
            for (Client c : clients) {
                c.done.get(watchdog, TimeUnit.SECONDS);
            }
            long nanos = System.nanoTime() - t0;
            for (Channel ch : channels) {
                ch.close().sync();
            }
            long sent = 0;
            long received = 0;
            String mismatch = "-1";
            Set<String> sentCrcs = new TreeSet<>();
            Set<String> recvCrcs = new TreeSet<>();
            for (int i = 0; i < connections; i++) {
                Client c = clients.get(i);
                sent += c.sent;
                received += c.received;
                if (c.mismatch >= 0 && mismatch.equals("-1")) {
                    mismatch = "connection" + i + "@" + c.mismatch;
                }
                sentCrcs.add(Long.toHexString(c.sentCrc.getValue()));
                recvCrcs.add(Long.toHexString(c.recvCrc.getValue()));
            }
            System.out.println(String.format(Locale.ROOT, "CLIENT connections=%d sent=%d received=%d mismatch=%s"
                            + " sentCrc=%s recvCrc=%s millis=%d mbps=%.1f channel=%s", connections, sent, received,
                    mismatch, String.join(",", sentCrcs), String.join(",", recvCrcs), nanos / 1_000_000,
                    sent / (nanos / 1e9) / 1e6, channels.get(0).getClass().getName()));
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        System.out.flush();
        System.exit(0);
    }

    /** Writes with back-pressure and checks the echo; event-loop thread only (done: any thread). */
    private static final class Client extends ChannelInboundHandlerAdapter {
        static final int CHUNK = 16 * 1024;
        final EchoPattern pattern;
        final long total;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final CRC32C sentCrc = new CRC32C();
        final CRC32C recvCrc = new CRC32C();
        long sent;
        long received;
        long mismatch = -1;

        Client(EchoPattern pattern, long total) {
            this.pattern = pattern;
            this.total = total;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            writeSome(ctx);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            writeSome(ctx);
        }

        private void writeSome(ChannelHandlerContext ctx) {
            boolean wrote = false;
            while (sent < total && ctx.channel().isWritable()) {
                int len = (int) Math.min(CHUNK, total - sent);
                int off = EchoPattern.offset(sent);
                sentCrc.update(pattern.block, off, len);
                ctx.write(Unpooled.wrappedBuffer(pattern.block, off, len));
                sent += len;
                wrote = true;
            }
            if (wrote) {
                ctx.flush();
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            try {
                int n = b.readableBytes();
                byte[] got = new byte[n];
                b.readBytes(got);
                recvCrc.update(got);
                for (int k = 0; k < n && mismatch < 0; k++) {
                    if (got[k] != pattern.block[EchoPattern.offset(received + k)]) {
                        mismatch = received + k;
                    }
                }
                received += n;
            } finally {
                b.release();
            }
            if (received >= total) {
                done.complete(null);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done.complete(null);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.completeExceptionally(cause);
            ctx.close();
        }
    }
}

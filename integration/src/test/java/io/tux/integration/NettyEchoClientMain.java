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
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * Child JVM: an unmodified Netty NIO-transport client. Connects to the echo server, writes {@code total} bytes of
 * the seeded {@link EchoPattern} while the channel is writable (resuming when it becomes writable again), checks
 * every byte of the echo against the pattern as it arrives, closes once all came back, and prints {@code CLIENT
 * sent=.. received=.. mismatch=<first wrong position or -1> sentCrc=.. recvCrc=.. millis=.. mbps=..}.
 *
 * <p>Arguments: server address, port, total bytes, seed, watchdog seconds.
 */
public final class NettyEchoClientMain {
    private NettyEchoClientMain() {
    }

    public static void main(String[] args) throws Exception {
        InetSocketAddress server = new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1]));
        long total = Long.parseLong(args[2]);
        EchoPattern pattern = new EchoPattern(Long.parseLong(args[3]));
        long watchdog = Long.parseLong(args[4]);
        Watchdog.start(watchdog);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        Client client = new Client(pattern, total);
        try {
            long t0 = System.nanoTime();
            Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline().addLast(client);
                        }
                    }).connect(server).sync().channel();
            client.done.get(watchdog, TimeUnit.SECONDS);
            long nanos = System.nanoTime() - t0;
            ch.close().sync();
            System.out.println(String.format(Locale.ROOT, "CLIENT sent=%d received=%d mismatch=%d sentCrc=%s recvCrc=%s"
                            + " millis=%d mbps=%.1f channel=%s", client.sent, client.received, client.mismatch,
                    Long.toHexString(client.sentCrc.getValue()), Long.toHexString(client.recvCrc.getValue()),
                    nanos / 1_000_000, total / (nanos / 1e9) / 1e6, ch.getClass().getName()));
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

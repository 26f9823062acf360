package io.tux.integration;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
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
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * Child JVM: an unmodified Netty NIO-transport echo server (one acceptor thread, two event-loop threads). Prints
 * {@code LISTENING <port>}, echoes everything with back-pressure (reading stops while the channel is not
 * writable), and once {@code connections} connections have closed prints {@code SERVER connections=.. bytes=<sum>
 * crc=<the CRC32C values of what each connection received, distinct> channel=<Netty's channel class>} and exits 0.
 *
 * <p>Arguments: bind address, connections, watchdog seconds.
 */
public final class NettyEchoServerMain {
    private NettyEchoServerMain() {
    }

    public static void main(String[] args) throws Exception {
        int connections = Integer.parseInt(args[1]);
        long watchdog = Long.parseLong(args[2]);
        Watchdog.start(watchdog);
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup worker = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        Results results = new Results(connections);
        try {
            Channel server = new ServerBootstrap().group(boss, worker).channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                            new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new Echo(results));
                        }
                    }).bind(new InetSocketAddress(InetAddress.getByName(args[0]), 0)).sync().channel();
            System.out.println("LISTENING " + ((InetSocketAddress) server.localAddress()).getPort() + " provider="
                    + java.nio.channels.spi.SelectorProvider.provider().getClass().getName());
            System.out.println(results.all.get(watchdog, TimeUnit.SECONDS));
            server.close().sync();
        } finally {
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            worker.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        System.out.flush();
        System.exit(0);
    }

    /** What the closed connections received; any event-loop thread (synchronized). */
    private static final class Results {
        final int expected;
        final CompletableFuture<String> all = new CompletableFuture<>();
        private final Set<String> crcs = new TreeSet<>();
        private int closed;
        private long bytes;
        private String channelClass;

        Results(int expected) {
            this.expected = expected;
        }

        synchronized void closed(long n, long crc, String channel) {
            closed++;
            bytes += n;
            crcs.add(Long.toHexString(crc));
            channelClass = channel;
            if (closed == expected) {
                all.complete("SERVER connections=" + closed + " bytes=" + bytes + " crc=" + String.join(",", crcs)
                        + " channel=" + channelClass);
            }
        }
    }

    /** Echo with back-pressure; the connection's event-loop thread only. */
    private static final class Echo extends ChannelInboundHandlerAdapter {
        private final Results results;
        private final CRC32C crc = new CRC32C();
        private long bytes;

        Echo(Results results) {
            this.results = results;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            bytes += b.readableBytes();
            crc.update(b.nioBuffer());
            ctx.write(b);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
            if (!ctx.channel().isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                ctx.channel().config().setAutoRead(true);
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            results.closed(bytes, crc.getValue(), ctx.channel().getClass().getName());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            results.all.complete("SERVER error=" + cause.toString().replace(' ', '_') + " bytes=" + bytes);
            ctx.close();
        }
    }
}

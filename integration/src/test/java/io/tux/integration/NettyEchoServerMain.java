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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * Child JVM: an unmodified Netty NIO-transport echo server for one connection. Prints {@code LISTENING <port>},
 * echoes everything with back-pressure (reading stops while the channel is not writable), and when the client
 * has closed prints {@code SERVER bytes=<n> crc=<crc32c of what it received> channel=<Netty's channel class>} and
 * exits 0.
 *
 * <p>Arguments: bind address, watchdog seconds.
 */
public final class NettyEchoServerMain {
    private NettyEchoServerMain() {
    }

    public static void main(String[] args) throws Exception {
        Watchdog.start(Long.parseLong(args[1]));
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup worker = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        CompletableFuture<String> result = new CompletableFuture<>();
        try {
            Channel server = new ServerBootstrap().group(boss, worker).channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                            new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new Echo(result));
                        }
                    }).bind(new InetSocketAddress(InetAddress.getByName(args[0]), 0)).sync().channel();
            System.out.println("LISTENING " + ((InetSocketAddress) server.localAddress()).getPort() + " provider="
                    + java.nio.channels.spi.SelectorProvider.provider().getClass().getName());
            System.out.println(result.get(Long.parseLong(args[1]), TimeUnit.SECONDS));
            server.close().sync();
        } finally {
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            worker.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        System.out.flush();
        System.exit(0);
    }

    /** Echo with back-pressure; event-loop thread only. */
    private static final class Echo extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<String> result;
        private final CRC32C crc = new CRC32C();
        private long bytes;

        Echo(CompletableFuture<String> result) {
            this.result = result;
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
            result.complete("SERVER bytes=" + bytes + " crc=" + Long.toHexString(crc.getValue()) + " channel="
                    + ctx.channel().getClass().getName());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.complete("SERVER error=" + cause.toString().replace(' ', '_') + " bytes=" + bytes);
            ctx.close();
        }
    }
}

package io.tux.spi;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Netty's NIO transport, unmodified, in a child JVM: an echo of 1 MiB; prints what it saw and Tux's counters. */
public final class ChildNettyMain {

    public static void main(String[] args) throws Exception {
        byte[] data = new byte[1 << 20];
        new Random(7).nextBytes(data);
        EventLoopGroup group = new NioEventLoopGroup(2);
        try {
            Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ctx.writeAndFlush(msg);
                                }
                            });
                        }
                    }).bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
            ByteBuf received = Unpooled.buffer(data.length);
            CompletableFuture<Void> done = new CompletableFuture<>();
            Channel client = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ByteBuf b = (ByteBuf) msg;
                                    received.writeBytes(b);
                                    b.release();
                                    if (received.readableBytes() >= data.length) {
                                        done.complete(null);
                                    }
                                }
                            });
                        }
                    }).connect(server.localAddress()).sync().channel();
            for (int off = 0; off < data.length; off += 16384) {
                client.write(Unpooled.wrappedBuffer(data, off, Math.min(16384, data.length - off)));
            }
            client.flush();
            done.get(30, TimeUnit.SECONDS);
            byte[] got = new byte[received.readableBytes()];
            received.readBytes(got);
            System.out.println("echo=" + (Arrays.equals(data, got) ? "exact" : "different") + " bytes=" + got.length);
            client.close().sync();
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        TuxMXBean c = Tux.counters();
        System.out.println("opened=" + c.getConnectionsOpened() + " kernel=" + c.getConnectionsOnKernel()
                + " tux=" + c.getConnectionsOnTux() + " byReason=" + c.getConnectionsOnKernelByReason());
    }
}

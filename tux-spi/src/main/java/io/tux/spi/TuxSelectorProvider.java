package io.tux.spi;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.util.Map;
import java.util.Objects;

/**
 * The drop-in {@link SelectorProvider}: run a program with
 * {@code -Djava.nio.channels.spi.SelectorProvider=io.tux.spi.TuxSelectorProvider} and its java.nio TCP connections
 * become {@link TuxSocketChannel}s, which run on Tux when both ends can and on kernel TCP otherwise.
 *
 * <p>It wraps the platform's own provider (reached as {@code PlatformProvider} describes). Two modes, fixed when
 * the provider is made:
 * <ul>
 *   <li><b>wrapping</b> (Tux enabled): channels and selectors are ours ({@link TuxSocketChannel},
 *       {@link TuxServerSocketChannel}, {@link TuxSelector}, and thin wrappers for datagram channels and pipes so
 *       they register with our selector); today every connection stays on the kernel path
 *       ({@link FallbackReason#NOT_IMPLEMENTED}).</li>
 *   <li><b>pass-through</b> ({@code tux.enabled=false}, or a malformed {@code tux.*} property): every method
 *       returns the platform provider's own objects, so the program behaves exactly as without the flag.</li>
 * </ul>
 * Construction and {@link #openSelector()} are cheap and never fail because of Tux: problems are logged once
 * (System.Logger {@code io.tux}) the first time something is opened. Only if the platform provider cannot be
 * reached at all (a JDK whose internals changed) do the open methods throw {@link IOException}, naming the cause.
 *
 * <p>Threading: immutable after construction; every method may be called from any thread.
 */
public class TuxSelectorProvider extends SelectorProvider {

    private final TuxRuntime rt;
    private final SelectorProvider platform;

    /** The constructor the JDK calls for the system property; reads the {@code tux.*} properties. */
    public TuxSelectorProvider() {
        this(globalRuntime());
    }

    /**
     * A provider with its own settings and counters, beside the JVM's (benchmarks, tests, embedding): it logs
     * with its own once-flags and its counters are not the MBean's.
     */
    public static TuxSelectorProvider create(TuxConfig config) {
        return new TuxSelectorProvider(config);
    }

    TuxSelectorProvider(TuxConfig config) {
        this(new TuxRuntime(config, PlatformProvider.find(), false));
    }

    TuxSelectorProvider(TuxRuntime rt) {
        this.rt = Objects.requireNonNull(rt);
        this.platform = rt.platform.provider();
    }

    private static TuxRuntime globalRuntime() {
        try {
            return TuxRuntime.global();
        } catch (Throwable t) {
            // cannot happen by design; if it does, the program must still run: pass through to the platform
            return new TuxRuntime(TuxConfig.of(Map.of(TuxConfig.ENABLED, "false")), PlatformProvider.find(), false);
        }
    }

    TuxRuntime runtime() {
        return rt;
    }

    /** The platform's own provider that this one wraps, or null if it could not be reached. */
    public SelectorProvider platformProvider() {
        return platform;
    }

    /** True when this provider hands out the platform's own objects (Tux disabled or misconfigured). */
    public boolean isPassThrough() {
        return rt.passThrough();
    }

    private SelectorProvider platform() throws IOException {
        rt.announce();
        if (platform == null) {
            throw new IOException("Tux: cannot open NIO channels, the platform's SelectorProvider is unreachable: "
                    + rt.cause.getMessage(), rt.cause);
        }
        return platform;
    }

    @Override
    public AbstractSelector openSelector() throws IOException {
        SelectorProvider p = platform();
        if (rt.passThrough()) {
            return p.openSelector();
        }
        return new TuxSelector(this, p.openSelector(), rt.config.pollBudgetMicros());
    }

    @Override
    public SocketChannel openSocketChannel() throws IOException {
        SelectorProvider p = platform();
        if (rt.passThrough()) {
            return p.openSocketChannel();
        }
        return newSocketChannel(p.openSocketChannel());
    }

    @Override
    public SocketChannel openSocketChannel(ProtocolFamily family) throws IOException {
        Objects.requireNonNull(family);
        SelectorProvider p = platform();
        if (rt.passThrough()) {
            return p.openSocketChannel(family);
        }
        return newSocketChannel(p.openSocketChannel(family));
    }

    private SocketChannel newSocketChannel(SocketChannel jdk) throws IOException {
        try {
            return new TuxSocketChannel(this, rt, jdk);
        } catch (Throwable t) {
            jdk.close();
            throw t;
        }
    }

    @Override
    public ServerSocketChannel openServerSocketChannel() throws IOException {
        SelectorProvider p = platform();
        if (rt.passThrough()) {
            return p.openServerSocketChannel();
        }
        return newServerSocketChannel(p.openServerSocketChannel());
    }

    @Override
    public ServerSocketChannel openServerSocketChannel(ProtocolFamily family) throws IOException {
        Objects.requireNonNull(family);
        SelectorProvider p = platform();
        if (rt.passThrough()) {
            return p.openServerSocketChannel(family);
        }
        return newServerSocketChannel(p.openServerSocketChannel(family));
    }

    private ServerSocketChannel newServerSocketChannel(ServerSocketChannel jdk) throws IOException {
        try {
            return new TuxServerSocketChannel(this, rt, jdk);
        } catch (Throwable t) {
            jdk.close();
            throw t;
        }
    }

    @Override
    public DatagramChannel openDatagramChannel() throws IOException {
        SelectorProvider p = platform();
        if (rt.passThrough()) {
            return p.openDatagramChannel();
        }
        return newDatagramChannel(p.openDatagramChannel());
    }

    @Override
    public DatagramChannel openDatagramChannel(ProtocolFamily family) throws IOException {
        Objects.requireNonNull(family);
        SelectorProvider p = platform();
        if (rt.passThrough()) {
            return p.openDatagramChannel(family);
        }
        return newDatagramChannel(p.openDatagramChannel(family));
    }

    private DatagramChannel newDatagramChannel(DatagramChannel jdk) throws IOException {
        try {
            return new TuxDatagramChannel(this, jdk);
        } catch (Throwable t) {
            jdk.close();
            throw t;
        }
    }

    @Override
    public Pipe openPipe() throws IOException {
        SelectorProvider p = platform();
        if (rt.passThrough()) {
            return p.openPipe();
        }
        return new TuxPipe(this, p.openPipe());
    }

    /**
     * The channel inherited from the process that started the JVM (inetd), wrapped like any other in wrapping mode
     * (an inherited connected socket counts as an established connection).
     */
    @Override
    public Channel inheritedChannel() throws IOException {
        SelectorProvider p = platform();
        Channel ch = p.inheritedChannel();
        if (ch == null || rt.passThrough()) {
            return ch;
        }
        if (ch instanceof SocketChannel sc) {
            TuxSocketChannel t = new TuxSocketChannel(this, rt, sc);
            if (sc.isConnected()) {
                t.onEstablished();
            }
            return t;
        }
        if (ch instanceof ServerSocketChannel ssc) {
            return new TuxServerSocketChannel(this, rt, ssc);
        }
        if (ch instanceof DatagramChannel dc) {
            return new TuxDatagramChannel(this, dc);
        }
        return ch;
    }

    @Override
    public String toString() {
        return "TuxSelectorProvider[" + (platform == null ? "platform unreachable"
                : rt.passThrough() ? "pass-through to " + platform.getClass().getName()
                : "over " + platform.getClass().getName()) + ", " + rt.reason + "]";
    }
}

package io.tux.spi;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;
import java.nio.channels.SelectableChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;
import java.util.Set;

/**
 * A datagram channel of the Tux provider: the JDK's own, wrapped only so that it can be registered with a
 * {@link TuxSelector} (the JDK's selectors, including the one inside ours, accept only the JDK's channels, and a
 * JDK channel registered straight into our selector would not get its deferred close finished). Every call goes
 * to the JDK channel.
 *
 * <p>Known difference: {@link #socket()} is the JDK channel's adaptor, whose {@code getChannel()} returns the JDK
 * channel, not this one.
 *
 * <p>Threading: as {@link DatagramChannel}.
 */
final class TuxDatagramChannel extends DatagramChannel implements TuxChannel {

    private final DatagramChannel udp;
    private final Registrations registrations = new Registrations();

    TuxDatagramChannel(SelectorProvider provider, DatagramChannel udp) throws IOException {
        super(provider);
        this.udp = Objects.requireNonNull(udp);
        if (!udp.isBlocking()) {
            configureBlocking(false);
        }
    }

    private void syncClose() {
        KernelChannels.closeIfClosedUnder(udp, this);
    }

    @Override
    public DatagramChannel bind(SocketAddress local) throws IOException {
        udp.bind(local);
        return this;
    }

    @Override
    public <T> DatagramChannel setOption(SocketOption<T> name, T value) throws IOException {
        udp.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return udp.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return udp.supportedOptions();
    }

    @Override
    public DatagramSocket socket() {
        return udp.socket();
    }

    @Override
    public boolean isConnected() {
        return udp.isConnected();
    }

    @Override
    public DatagramChannel connect(SocketAddress remote) throws IOException {
        try {
            udp.connect(remote);
        } catch (Throwable t) {
            syncClose();
            throw t;
        }
        return this;
    }

    @Override
    public DatagramChannel disconnect() throws IOException {
        udp.disconnect();
        return this;
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        return udp.getRemoteAddress();
    }

    @Override
    public SocketAddress receive(ByteBuffer dst) throws IOException {
        try {
            return udp.receive(dst);
        } catch (Throwable t) {
            syncClose();
            throw t;
        }
    }

    @Override
    public int send(ByteBuffer src, SocketAddress target) throws IOException {
        try {
            return udp.send(src, target);
        } catch (Throwable t) {
            syncClose();
            throw t;
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        try {
            return udp.read(dst);
        } catch (Throwable t) {
            syncClose();
            throw t;
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        try {
            return udp.read(dsts, offset, length);
        } catch (Throwable t) {
            syncClose();
            throw t;
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        try {
            return udp.write(src);
        } catch (Throwable t) {
            syncClose();
            throw t;
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        try {
            return udp.write(srcs, offset, length);
        } catch (Throwable t) {
            syncClose();
            throw t;
        }
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        return udp.getLocalAddress();
    }

    @Override
    public MembershipKey join(InetAddress group, NetworkInterface interf) throws IOException {
        return udp.join(group, interf);
    }

    @Override
    public MembershipKey join(InetAddress group, NetworkInterface interf, InetAddress source) throws IOException {
        return udp.join(group, interf, source);
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        udp.close();
    }

    @Override
    protected void implConfigureBlocking(boolean block) throws IOException {
        KernelChannels.configureBlocking(registrations, udp, block);
    }

    @Override
    public SelectableChannel kernelSelectable() {
        return udp;
    }

    @Override
    public TuxReadiness readiness() {
        return null;
    }

    @Override
    public Registrations registrations() {
        return registrations;
    }

    @Override
    public String toString() {
        return udp.toString();
    }
}

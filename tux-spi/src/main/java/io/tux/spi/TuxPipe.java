package io.tux.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectableChannel;
import java.nio.channels.spi.SelectorProvider;

/**
 * A pipe of the Tux provider: the JDK's own pipe, its two ends wrapped only so that they can be registered with a
 * {@link TuxSelector}. Every call goes to the JDK's ends.
 *
 * <p>Threading: as {@link Pipe}.
 */
final class TuxPipe extends Pipe {

    private final Source source;
    private final Sink sink;

    TuxPipe(SelectorProvider provider, Pipe jdk) {
        source = new Source(provider, jdk.source());
        sink = new Sink(provider, jdk.sink());
    }

    @Override
    public SourceChannel source() {
        return source;
    }

    @Override
    public SinkChannel sink() {
        return sink;
    }

    /** The reading end. */
    static final class Source extends Pipe.SourceChannel implements TuxChannel {
        private final Pipe.SourceChannel jdk;
        private final Registrations registrations = new Registrations();

        Source(SelectorProvider provider, Pipe.SourceChannel jdk) {
            super(provider);
            this.jdk = jdk;
        }

        private void syncClose() {
            KernelChannels.closeIfClosedUnder(jdk, this);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            try {
                return jdk.read(dst);
            } catch (Throwable t) {
                syncClose();
                throw t;
            }
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            try {
                return jdk.read(dsts, offset, length);
            } catch (Throwable t) {
                syncClose();
                throw t;
            }
        }

        @Override
        public long read(ByteBuffer[] dsts) throws IOException {
            return read(dsts, 0, dsts.length);
        }

        @Override
        protected void implCloseSelectableChannel() throws IOException {
            jdk.close();
        }

        @Override
        protected void implConfigureBlocking(boolean block) throws IOException {
            KernelChannels.configureBlocking(registrations, jdk, block);
        }

        @Override
        public SelectableChannel kernelSelectable() {
            return jdk;
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
            return jdk.toString();
        }
    }

    /** The writing end. */
    static final class Sink extends Pipe.SinkChannel implements TuxChannel {
        private final Pipe.SinkChannel jdk;
        private final Registrations registrations = new Registrations();

        Sink(SelectorProvider provider, Pipe.SinkChannel jdk) {
            super(provider);
            this.jdk = jdk;
        }

        private void syncClose() {
            KernelChannels.closeIfClosedUnder(jdk, this);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            try {
                return jdk.write(src);
            } catch (Throwable t) {
                syncClose();
                throw t;
            }
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            try {
                return jdk.write(srcs, offset, length);
            } catch (Throwable t) {
                syncClose();
                throw t;
            }
        }

        @Override
        public long write(ByteBuffer[] srcs) throws IOException {
            return write(srcs, 0, srcs.length);
        }

        @Override
        protected void implCloseSelectableChannel() throws IOException {
            jdk.close();
        }

        @Override
        protected void implConfigureBlocking(boolean block) throws IOException {
            KernelChannels.configureBlocking(registrations, jdk, block);
        }

        @Override
        public SelectableChannel kernelSelectable() {
            return jdk;
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
            return jdk.toString();
        }
    }
}

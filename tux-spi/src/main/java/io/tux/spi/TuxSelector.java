package io.tux.spi;

import io.tux.core.engine.Engine;
import io.tux.core.engine.SpinPause;
import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The selector of the Tux provider. It selects over two kinds of readiness:
 * <ul>
 *   <li>channels whose transport is the kernel: their JDK channel is registered in an <em>inner</em> selector of
 *       the platform provider (the JDK's selectors accept only the JDK's channels), with our key as attachment;</li>
 *   <li>channels whose transport is Tux: their {@link TuxReadiness} is polled on every selection. Before it
 *       sleeps in the inner selector a selecting thread spins on these sources for at most the poll budget
 *       ({@code tux.pollBudgetMicros}), and {@link #signal()} wakes it when a source becomes ready.</li>
 * </ul>
 * Key sets, ready-set updates (a key already in the selected-key set gets the new ready operations OR-ed in and
 * counts only if that added one), cancelled-key deregistration, {@code select(Consumer)}, {@code wakeup()},
 * interrupts and {@code close()} follow {@code java.nio.channels.Selector}'s specification and the JDK's
 * implementation.
 *
 * <p>Threading: selection runs under the lock of this selector and then of its selected-key set, as the JDK's;
 * registration, interest changes, {@link #wakeup()}, {@link #signal()} and {@code close()} may come from any
 * thread. See the fields for who writes and reads what.
 */
public final class TuxSelector extends AbstractSelector {

    /** The platform provider's selector; its keys are used only by this class. */
    private final Selector inner;
    /** How long a selection spins on polled sources before sleeping; 0: never. */
    private final long spinNanos;

    /** Our keys; concurrent because registration adds from any thread. */
    private final Set<SelectionKey> keys = ConcurrentHashMap.newKeySet();
    private final Set<SelectionKey> publicKeys = Collections.unmodifiableSet(keys);
    /** Guarded by {@link #publicSelectedKeys}'s lock (the selecting thread, or the user who holds it). */
    private final Set<SelectionKey> selectedKeys = new HashSet<>();
    private final Set<SelectionKey> publicSelectedKeys = new UngrowableSet(selectedKeys);
    /**
     * Keys whose channel's transport is polled: copy-on-write, changed under {@code polledLock} by registering
     * threads and the selecting thread, read without a lock (and without allocating) by the selecting thread.
     */
    private volatile TuxSelectionKey[] polledKeys = NO_KEYS;
    private final Object polledLock = new Object();
    private static final TuxSelectionKey[] NO_KEYS = new TuxSelectionKey[0];
    /** Keys whose channel changed transport; offered by any thread, drained by the selecting thread. */
    private final ConcurrentLinkedQueue<TuxSelectionKey> rehomeQueue = new ConcurrentLinkedQueue<>();

    /** Guarded by {@code this}. */
    private boolean inSelect;
    /** Set by {@link #wakeup()} (any thread), cleared by the selecting thread when its selection returns. */
    private volatile boolean wakeupPending;
    /**
     * Set by {@link #signal()} (any thread) after its source became ready; cleared by the selecting thread before
     * it polls. With {@link #sleeping} it forms a Dekker pair: the selector writes {@code sleeping} then reads
     * {@code signalled}, the signaller writes {@code signalled} then reads {@code sleeping}, so either the selector
     * sees the signal or the signaller sees it sleeping and wakes the inner selector.
     */
    private volatile boolean signalled;
    /** Written by the selecting thread around its sleep in the inner selector, read by {@link #signal()}. */
    private volatile boolean sleeping;

    // Selecting-thread-only state of the selection in progress (so the inner callback allocates nothing).
    private Consumer<SelectionKey> action;
    /** Keys whose ready set was updated in this selection: the return value. */
    private int updated;
    /** Keys reported ready (updated or not) in this selection. */
    private int events;
    private final Consumer<SelectionKey> onInnerReady = this::onInnerReady;
    /** Keys to re-home after the next inner selection has flushed their old inner key. Selecting thread only. */
    private final List<TuxSelectionKey> retryAfterFlush = new ArrayList<>();

    TuxSelector(SelectorProvider provider, Selector inner, long pollBudgetMicros) {
        super(provider);
        this.inner = inner;
        this.spinNanos = TimeUnit.MICROSECONDS.toNanos(pollBudgetMicros);
    }

    private void ensureOpen() {
        if (!isOpen()) {
            throw new ClosedSelectorException();
        }
    }

    @Override
    public Set<SelectionKey> keys() {
        ensureOpen();
        return publicKeys;
    }

    @Override
    public Set<SelectionKey> selectedKeys() {
        ensureOpen();
        return publicSelectedKeys;
    }

    @Override
    public int selectNow() throws IOException {
        return lockAndDoSelect(null, 0);
    }

    @Override
    public int select(long timeout) throws IOException {
        if (timeout < 0) {
            throw new IllegalArgumentException("Negative timeout");
        }
        return lockAndDoSelect(null, timeout == 0 ? -1 : timeout);
    }

    @Override
    public int select() throws IOException {
        return lockAndDoSelect(null, -1);
    }

    @Override
    public int select(Consumer<SelectionKey> action, long timeout) throws IOException {
        Objects.requireNonNull(action);
        if (timeout < 0) {
            throw new IllegalArgumentException("Negative timeout");
        }
        return lockAndDoSelect(action, timeout == 0 ? -1 : timeout);
    }

    @Override
    public int select(Consumer<SelectionKey> action) throws IOException {
        Objects.requireNonNull(action);
        return lockAndDoSelect(action, -1);
    }

    @Override
    public int selectNow(Consumer<SelectionKey> action) throws IOException {
        Objects.requireNonNull(action);
        return lockAndDoSelect(action, 0);
    }

    /** Makes the current or next selection return, like the JDK's. */
    @Override
    public Selector wakeup() {
        wakeupPending = true;
        inner.wakeup();
        return this;
    }

    /**
     * Called by a Tux transport after one of its {@link TuxReadiness} sources became ready: a selection in
     * progress polls the sources again (waking from its kernel sleep if it sleeps). Unlike {@link #wakeup()} it
     * does not make the selection return unless a key became ready. Cheap when the selector is spinning.
     */
    public void signal() {
        signalled = true;
        if (sleeping) {
            inner.wakeup();
        }
    }

    /** Called by a channel whose transport changed; the selection in progress or the next one re-homes the key. */
    void rehome(TuxSelectionKey k) {
        rehomeQueue.offer(k);
        signal();
    }

    private int lockAndDoSelect(Consumer<SelectionKey> action, long timeout) throws IOException {
        synchronized (this) {
            ensureOpen();
            if (inSelect) {
                throw new IllegalStateException("select in progress");
            }
            inSelect = true;
            try {
                synchronized (publicSelectedKeys) {
                    return doSelect(action, timeout);
                }
            } finally {
                inSelect = false;
            }
        }
    }

    /** @param timeout -1: no limit, 0: do not block, else milliseconds */
    private int doSelect(Consumer<SelectionKey> act, long timeout) throws IOException {
        action = act;
        updated = 0;
        events = 0;
        try {
            processCancelledKeys();
            processRehomeQueue();
            long deadline = timeout > 0 ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout) : 0L;
            for (;;) {
                signalled = false;
                if (!rehomeQueue.isEmpty()) {
                    processRehomeQueue();
                }
                boolean polled = polledKeys.length != 0;
                if (polled) {
                    pollSources();
                }
                if (timeout == 0 || events > 0 || wakeupPending || Thread.currentThread().isInterrupted()) {
                    inner.selectNow(onInnerReady);
                    break;
                }
                if (polled && spinNanos > 0 && spin(deadline)) {
                    inner.selectNow(onInnerReady);
                    break;
                }
                long waitMillis = 0; // 0: no limit
                if (timeout > 0) {
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        inner.selectNow(onInnerReady);
                        break;
                    }
                    waitMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining + 999_999));
                }
                sleeping = true;
                if (signalled || !rehomeQueue.isEmpty() || (polled && anySourceReady())) {
                    sleeping = false;
                    continue;
                }
                try {
                    if (waitMillis == 0) {
                        inner.select(onInnerReady);
                    } else {
                        inner.select(onInnerReady, waitMillis);
                    }
                } finally {
                    sleeping = false;
                }
                if (polled) {
                    pollSources(); // a source that became ready without a signal, or at the timeout
                }
                if (events > 0 || wakeupPending || Thread.currentThread().isInterrupted()
                        || (timeout > 0 && System.nanoTime() - deadline >= 0)) {
                    break;
                }
                // Nothing ready: a signal (poll again at the top), a re-homed key, or a wakeup left over from a
                // signal that raced with the end of an earlier sleep. Pick up what changed and wait again.
                processCancelledKeys();
                if (!retryAfterFlush.isEmpty()) {
                    rehomeQueue.addAll(retryAfterFlush);
                    retryAfterFlush.clear();
                }
            }
            processCancelledKeys();
            return updated;
        } finally {
            if (!retryAfterFlush.isEmpty()) {
                rehomeQueue.addAll(retryAfterFlush);
                retryAfterFlush.clear();
            }
            action = null;
            wakeupPending = false;
        }
    }

    /**
     * Spins on the polled sources until one is ready, a wakeup, an interrupt, the budget or the deadline, running
     * the loop of their Tux engine on this thread meanwhile (no hand-off from the network thread).
     */
    private boolean spin(long deadline) {
        long now = System.nanoTime();
        long end = now + spinNanos;
        if (deadline != 0 && deadline - end < 0) {
            end = deadline;
        }
        Engine engine = polledEngine();
        if (engine == null) {
            return spinOn(null, end);
        }
        boolean ready = false;
        engine.beginPolling();
        try {
            ready = spinOn(engine, end);
        } finally {
            engine.endPolling(!ready);
        }
        return ready;
    }

    /** The engine of the first polled source that has one (a JVM has one per interface; in practice one). */
    private Engine polledEngine() {
        for (TuxSelectionKey k : polledKeys) {
            TuxReadiness r = k.isValid() ? k.tuxChannel().readiness() : null;
            Engine e = r == null ? null : r.engine();
            if (e != null) {
                return e;
            }
        }
        return null;
    }

    private boolean spinOn(Engine engine, long end) {
        int spins = 0;
        while (end - System.nanoTime() > 0) {
            if (wakeupPending || Thread.currentThread().isInterrupted()) {
                return true;
            }
            if (!rehomeQueue.isEmpty()) {
                return false;
            }
            if (engine != null) {
                engine.drive();
            }
            if (pollSources() > 0) {
                return true;
            }
            SpinPause.pause(++spins);
        }
        return false;
    }

    /** Polls every polled source once; returns how many were ready. Selecting thread only. */
    private int pollSources() {
        int before = events;
        for (TuxSelectionKey k : polledKeys) {
            if (!k.isValid()) {
                continue;
            }
            TuxReadiness r = k.tuxChannel().readiness();
            if (r == null) {
                continue;
            }
            int ops = r.readyOps() & k.interestOpsRaw();
            if (ops != 0) {
                events++;
                processReady(k, ops);
            }
        }
        return events - before;
    }

    private boolean anySourceReady() {
        for (TuxSelectionKey k : polledKeys) {
            TuxReadiness r = k.tuxChannel().readiness();
            if (k.isValid() && r != null && (r.readyOps() & k.interestOpsRaw()) != 0) {
                return true;
            }
        }
        return false;
    }

    /** The inner selector's callback, on the selecting thread. */
    private void onInnerReady(SelectionKey innerKey) {
        Object att = innerKey.attachment();
        if (!(att instanceof TuxSelectionKey k) || !k.isValid() || k.inner() != innerKey) {
            return; // a key re-homed or cancelled during this selection
        }
        int ops = innerKey.readyOps() & k.tuxChannel().kernelOps();
        if (ops == 0) {
            return; // readiness of an operation that moved to the polled source meanwhile
        }
        events++;
        processReady(k, ops);
    }

    /** Applies one key's new ready set exactly as the JDK's SelectorImpl.processReadyEvents does. */
    private void processReady(TuxSelectionKey k, int ops) {
        Consumer<SelectionKey> a = action;
        if (a != null) {
            k.setReadyOps(ops);
            if ((ops & k.interestOpsRaw()) != 0) {
                updated++;
                a.accept(k);
                ensureOpen();
            }
        } else if (selectedKeys.contains(k)) {
            int old = k.readyOpsRaw();
            if ((ops & ~old) != 0) {
                k.setReadyOps(old | ops);
                updated++;
            }
        } else {
            k.setReadyOps(ops);
            if ((ops & k.interestOpsRaw()) != 0) {
                selectedKeys.add(k);
                updated++;
            }
        }
    }

    @Override
    protected SelectionKey register(AbstractSelectableChannel ch, int ops, Object attachment) {
        if (!(ch instanceof TuxChannel tc)) {
            throw new IllegalSelectorException();
        }
        ensureOpen();
        TuxSelectionKey k = new TuxSelectionKey(ch, tc, this, ops);
        if (attachment != null) {
            k.attach(attachment);
        }
        tc.registrations().add(k);
        keys.add(k);
        try {
            home(k);
        } catch (RuntimeException e) { // ClosedSelectorException when the inner selector closed meanwhile
            keys.remove(k);
            removePolled(k);
            tc.registrations().remove(k);
            throw isOpen() ? e : new ClosedSelectorException();
        }
        if (!isOpen()) {
            keys.remove(k);
            tc.registrations().remove(k);
            k.cancel();
            throw new ClosedSelectorException();
        }
        return k;
    }

    /** Puts a key where its channel's readiness comes from now: the inner selector or the polled set. */
    private void home(TuxSelectionKey k) {
        TuxChannel tc = k.tuxChannel();
        int kernelOps = tc.kernelOps();
        if (tc.readiness() != null) {
            addPolled(k);
            if (kernelOps == 0 || tc.kernelSelectable() == null) {
                SelectionKey in = k.inner();
                if (in != null) {
                    in.cancel();
                    k.setInner(null);
                }
                return;
            }
            // Split readiness (a connection being cut over): some operations stay with the kernel channel.
        } else {
            removePolled(k);
        }
        SelectionKey in = k.inner();
        if (in != null && in.isValid()) {
            synchronized (k) {
                try {
                    in.interestOps(k.interestOpsRaw() & kernelOps);
                } catch (CancelledKeyException e) {
                    // closing: its close cancels our key too
                }
            }
            return;
        }
        SelectableChannel kernel = tc.kernelSelectable();
        if (kernel == null) {
            return;
        }
        try {
            synchronized (k) { // orders against interestOps(int): the inner key gets the latest interest set
                k.setInner(kernel.register(inner, k.interestOpsRaw() & kernelOps, k));
            }
        } catch (ClosedChannelException e) {
            // the channel is closing; its close cancels our key too
        } catch (CancelledKeyException e) {
            // an earlier inner key of this channel is cancelled but not yet flushed: try again once the inner
            // selector has flushed it
            if (Thread.holdsLock(publicSelectedKeys)) {
                retryAfterFlush.add(k);
            } else {
                rehomeQueue.offer(k);
            }
        }
    }

    private void addPolled(TuxSelectionKey k) {
        synchronized (polledLock) {
            TuxSelectionKey[] a = polledKeys;
            for (TuxSelectionKey x : a) {
                if (x == k) {
                    return;
                }
            }
            TuxSelectionKey[] b = java.util.Arrays.copyOf(a, a.length + 1);
            b[a.length] = k;
            polledKeys = b;
        }
    }

    private void removePolled(TuxSelectionKey k) {
        synchronized (polledLock) {
            TuxSelectionKey[] a = polledKeys;
            for (int i = 0; i < a.length; i++) {
                if (a[i] == k) {
                    TuxSelectionKey[] b = new TuxSelectionKey[a.length - 1];
                    System.arraycopy(a, 0, b, 0, i);
                    System.arraycopy(a, i + 1, b, i, a.length - i - 1);
                    polledKeys = b;
                    return;
                }
            }
        }
    }

    private void processRehomeQueue() {
        TuxSelectionKey k;
        while ((k = rehomeQueue.poll()) != null) {
            if (k.isValid()) {
                home(k);
            }
        }
    }

    private void processCancelledKeys() {
        Set<SelectionKey> cks = cancelledKeys();
        List<SelectionKey> copy;
        synchronized (cks) {
            if (cks.isEmpty()) {
                return;
            }
            copy = new ArrayList<>(cks);
            cks.clear();
        }
        for (SelectionKey sk : copy) {
            TuxSelectionKey k = (TuxSelectionKey) sk;
            k.cancelInner();
            removePolled(k);
            keys.remove(k);
            selectedKeys.remove(k);
            k.tuxChannel().registrations().remove(k);
            deregister(k);
        }
    }

    @Override
    protected void implCloseSelector() throws IOException {
        wakeup();
        synchronized (this) {
            synchronized (publicSelectedKeys) {
                try {
                    inner.close(); // flushes the inner keys and finishes closing kernel channels closed meanwhile
                } finally {
                    for (SelectionKey sk : keys) {
                        TuxSelectionKey k = (TuxSelectionKey) sk;
                        k.tuxChannel().registrations().remove(k);
                        deregister(k);
                    }
                    keys.clear();
                    selectedKeys.clear();
                    polledKeys = NO_KEYS;
                    rehomeQueue.clear();
                }
            }
        }
    }

    /** The selected-key set's public view: removal allowed, addition not (as the JDK's). */
    private static final class UngrowableSet extends AbstractSet<SelectionKey> {
        private final Set<SelectionKey> s;

        UngrowableSet(Set<SelectionKey> s) {
            this.s = s;
        }

        @Override
        public int size() {
            return s.size();
        }

        @Override
        public boolean isEmpty() {
            return s.isEmpty();
        }

        @Override
        public boolean contains(Object o) {
            return s.contains(o);
        }

        @Override
        public boolean remove(Object o) {
            return s.remove(o);
        }

        @Override
        public void clear() {
            s.clear();
        }

        @Override
        public Iterator<SelectionKey> iterator() {
            return s.iterator();
        }

        @Override
        public boolean add(SelectionKey o) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean addAll(java.util.Collection<? extends SelectionKey> c) {
            throw new UnsupportedOperationException();
        }
    }
}

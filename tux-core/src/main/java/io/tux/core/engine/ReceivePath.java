package io.tux.core.engine;

import static io.tux.core.packet.TuxHeader.*;

import io.tux.core.buffer.ByteRing;
import io.tux.core.engine.EngineCounters.Counter;
import io.tux.core.packet.DropReason;
import java.lang.foreign.MemorySegment;

/**
 * The receiving half of a connection on the network thread: drops duplicates, reorders, reassembles fragmented
 * messages and delivers into the delivery ring the application reads from.
 *
 * <p>Memory is bounded: a packet is either copied straight into the delivery ring (the in-order fast path,
 * which skips the reorder slots) or kept in the reorder slot of its sequence number; the advertised window
 * never reaches past the last slot, so a slow reader stops the sender instead of making the engine drop data
 * it already acknowledged. Buffer reclamation follows the paper: a packet delivered out of order leaves its
 * slot marked CONSUMED, and the slot is reclaimed only when every lower sequence number has been consumed, so
 * a late duplicate is still recognised.
 *
 * <p>Fields are owned by the network thread except {@link #eof} and {@link #blocked} (published to the
 * application) and the ring (whose consumer is the application).
 */
final class ReceivePath {
    static final byte EMPTY = 0;
    static final byte HELD = 1;
    static final byte CONSUMED = 2;

    final ByteRing ring;
    private final Connection c;
    private final int window;
    private final int mask;
    private final int slotSize;
    /** Reorder slot memory, made on first need: a connection whose packets arrive in order never has it. */
    private MemorySegment slots;
    private final int[] slotLength;
    private final byte[] slotState;
    private final byte[] slotFlags;
    private final byte[] slotType;

    /** Lowest seq not yet received: everything below arrived (the cumulative ack). */
    int rcvNext;
    /** Lowest seq not yet delivered or reclaimed; the window's left edge. */
    int deliveredNext;
    /** Highest seq + 1 held in a slot (for rescans). */
    private int highestHeld;
    /**
     * Payload bytes held in reorder slots. Written by the network thread only (plain); other threads may read it
     * for diagnostics and then see a possibly stale value.
     */
    long heldBytes;
    /**
     * Received packets not yet acknowledged: the ACK waits a little (see {@link #ACK_DELAY_NANOS}) so that it
     * can ride on the reply, or goes out once two packets wait for it.
     */
    boolean ackPending;
    /** Packets received since the last acknowledgment went out. */
    int unacknowledged;
    /** When the oldest unacknowledged packet arrived (valid while {@link #ackPending}). */
    long ackPendingSince;

    /** How long a pure ACK may wait for data to ride on (delayed acknowledgment). */
    static final long ACK_DELAY_NANOS = 500_000;

    /** Written by the network thread (volatile) after the last byte before the FIN was published; read by readers. */
    volatile boolean eof;
    /**
     * Written by the network thread when delivery stopped because the ring was full (volatile); read by the
     * application after it frees ring space, to wake the network thread.
     */
    volatile boolean blocked;
    /** The ring consumer position when delivery last stopped; network thread only. */
    private long blockedAt;

    ReceivePath(Connection c, EngineConfig config, int maxPayload) {
        this.c = c;
        this.window = config.window();
        this.mask = window - 1;
        this.slotSize = maxPayload;
        this.ring = new ByteRing(config.receiveBufferBytes());
        this.slotLength = new int[window];
        this.slotState = new byte[window];
        this.slotFlags = new byte[window];
        this.slotType = new byte[window];
    }

    void start(int remoteIsn) {
        rcvNext = remoteIsn;
        deliveredNext = remoteIsn;
        highestHeld = remoteIsn;
    }

    /** The window advertised with our ack: seqs the peer may send beyond {@link #rcvNext}. */
    int advertisedWindow() { return deliveredNext + window - rcvNext; }

    /**
     * The selective acknowledgment sent with an ACK: bit i set when seq {@code rcvNext + 1 + i} is held or
     * was delivered out of order; 0 when nothing beyond the cumulative ack arrived.
     */
    long sackBits() {
        if (!Seq.gt(highestHeld, rcvNext + 1)) return 0;
        long bits = 0;
        int limit = Math.min(64, highestHeld - rcvNext - 1);
        for (int b = 0; b < limit; b++) {
            if (slotState[(rcvNext + 1 + b) & mask] != EMPTY) bits |= 1L << b;
        }
        return bits;
    }

    /** Takes in a DATA or FIN packet whose header was already checked. */
    void onData(Engine e, int t, int f, int seq, MemorySegment s, long payloadOffset, int len) {
        if (Seq.lt(seq, rcvNext)) {
            e.counters.drop(DropReason.DUPLICATE);
            e.ackNow(c);
            return;
        }
        if (!Seq.lt(seq, deliveredNext + window)) {
            e.counters.drop(DropReason.OUTSIDE_WINDOW);
            e.ackNow(c);
            return;
        }
        if (len > slotSize || (t == TYPE_FIN && len != 0)) {
            e.counters.drop(DropReason.BAD_LENGTH);
            return;
        }
        boolean ordered = (f & FLAG_ORDER) != 0;
        if (ordered != (c.mode == Mode.STREAM) && t == TYPE_DATA) {
            e.counters.drop(DropReason.BAD_FLAGS);
            return;
        }
        int i = seq & mask;
        if (slotState[i] != EMPTY) {
            e.counters.drop(DropReason.DUPLICATE);
            e.ackNow(c);
            return;
        }
        if (c.closeRequested && t == TYPE_DATA) {
            // The application let go: acknowledge and throw away (the slot is consumed without a copy).
            slotState[i] = CONSUMED;
            if (Seq.geq(seq, highestHeld)) highestHeld = seq + 1;
            if (seq == rcvNext) {
                advanceReceived();
                markAckPending(e);
            } else {
                e.ackNow(c);
            }
            drain(e);
            return;
        }
        if (seq == deliveredNext && t == TYPE_DATA && ordered && ring.freeBytes() >= len) {
            // Fast path: in order, room in the ring; the reorder slots are not touched.
            long p = ring.producerPositionPlain();
            ring.write(p, s, payloadOffset, len);
            ring.publish(p + len);
            e.counters.add(Counter.BYTES_DELIVERED, len);
            deliveredNext = seq + 1;
            rcvNext = seq + 1;
            markAckPending(e);
            c.events |= Connection.EVENT_READABLE;
            if (Seq.gt(highestHeld, rcvNext)) {
                advanceReceived();
                drain(e);
            } else {
                highestHeld = rcvNext;
            }
            return;
        }
        if (slots == null) slots = MemorySegment.ofArray(new byte[window * slotSize]);
        MemorySegment.copy(s, payloadOffset, slots, (long) i * slotSize, len);
        slotLength[i] = len;
        slotFlags[i] = (byte) f;
        slotType[i] = (byte) t;
        slotState[i] = HELD;
        heldBytes += len;
        if (Seq.geq(seq, highestHeld)) highestHeld = seq + 1;
        if (seq == rcvNext) {
            advanceReceived();
            markAckPending(e);
        } else {
            e.ackNow(c); // a gap: tell the sender at once (duplicate ack)
        }
        if (!ordered && t == TYPE_DATA) deliverMessageAround(e, seq);
        drain(e);
    }

    private void markAckPending(Engine e) {
        if (!ackPending) {
            ackPending = true;
            ackPendingSince = e.now();
        }
        unacknowledged++;
    }

    /** Whether the pending acknowledgment should go out now rather than wait for data to carry it. */
    boolean ackDue(long now) {
        return ackPending && (unacknowledged >= 2 || now - ackPendingSince >= ACK_DELAY_NANOS);
    }

    void acknowledged() {
        ackPending = false;
        unacknowledged = 0;
    }

    private void advanceReceived() {
        while (Seq.lt(rcvNext, highestHeld) && slotState[rcvNext & mask] != EMPTY) rcvNext++;
    }

    /** Delivers in order from the window's left edge and reclaims consumed slots. */
    private void drain(Engine e) {
        while (Seq.lt(deliveredNext, rcvNext)) {
            int i = deliveredNext & mask;
            byte st = slotState[i];
            if (st == CONSUMED) {
                slotState[i] = EMPTY;
            } else if (slotType[i] == TYPE_FIN) {
                slotState[i] = EMPTY;
                eof = true;
                c.events |= Connection.EVENT_READABLE;
            } else if ((slotFlags[i] & FLAG_ORDER) != 0) {
                int len = slotLength[i];
                if (ring.freeBytes() < len) {
                    markBlocked();
                    return;
                }
                long p = ring.producerPositionPlain();
                ring.write(p, slots, (long) i * slotSize, len);
                ring.publish(p + len);
                e.counters.add(Counter.BYTES_DELIVERED, len);
                heldBytes -= len;
                slotState[i] = EMPTY;
                c.events |= Connection.EVENT_READABLE;
            } else {
                return; // an unordered fragment of a message not yet complete or not yet delivered
            }
            deliveredNext++;
            markAckPending(e);
        }
    }

    /** If the message that {@code seq} belongs to is complete, delivers it (unordered delivery). */
    private boolean deliverMessageAround(Engine e, int seq) {
        int first = seq;
        while ((slotFlags[first & mask] & FLAG_FIRST) == 0) {
            first--;
            if (Seq.lt(first, deliveredNext) || slotState[first & mask] != HELD) return false;
        }
        int last = seq;
        int total = slotLength[seq & mask];
        if (first != seq) {
            total = 0;
            for (int s = first; s != seq + 1; s++) total += slotLength[s & mask];
        }
        while ((slotFlags[last & mask] & FLAG_LAST) == 0) {
            last++;
            if (!Seq.lt(last, deliveredNext + window) || slotState[last & mask] != HELD
                    || (slotFlags[last & mask] & FLAG_FIRST) != 0) {
                return false;
            }
            total += slotLength[last & mask];
        }
        if (ring.freeBytes() < 4 + total) {
            markBlocked();
            return false;
        }
        long p = ring.producerPositionPlain();
        ring.writeInt(p, total);
        p += 4;
        for (int s = first; s != last + 1; s++) {
            int i = s & mask;
            ring.write(p, slots, (long) i * slotSize, slotLength[i]);
            p += slotLength[i];
            heldBytes -= slotLength[i];
            slotState[i] = CONSUMED;
        }
        ring.publish(p);
        e.counters.add(Counter.BYTES_DELIVERED, total);
        c.events |= Connection.EVENT_READABLE;
        return true;
    }

    private void markBlocked() {
        if (!blocked) {
            blockedAt = ring.consumerPosition();
            blocked = true;
        }
    }

    /** Called every loop iteration while {@link #blocked}: retries delivery once the reader made room. */
    int retryBlocked(Engine e) {
        if (!blocked || ring.consumerPosition() == blockedAt) return 0;
        blocked = false;
        int before = deliveredNext;
        if (c.mode == Mode.MESSAGE) {
            for (int s = deliveredNext; Seq.lt(s, highestHeld) && !blocked; s++) {
                int i = s & mask;
                if (slotState[i] == HELD && (slotFlags[i] & FLAG_FIRST) != 0) deliverMessageAround(e, s);
            }
        }
        drain(e);
        if (deliveredNext != before) e.ackNow(c); // window update
        return 1;
    }

}

package io.tux.core.engine;

import static io.tux.core.packet.TuxHeader.*;

import io.tux.core.buffer.ByteRing;
import io.tux.core.engine.EngineCounters.Counter;

/**
 * The sending half of a connection on the network thread: cuts the send ring into packets, keeps them until
 * the peer acknowledges them cumulatively, retransmits on a timer (with exponential backoff), after three
 * duplicate acknowledgments and on partial acknowledgments during recovery, and respects the peer's window.
 *
 * <p>Every field is owned by the network thread, except the ring, whose producer is the application.
 */
final class SendPath {
    private static final int GRANULARITY_NANOS = 100_000;

    final ByteRing ring;
    private final Connection c;
    private final EngineConfig config;
    private final int window;
    private final int mask;

    // Packet table, indexed by seq & mask, for seqs in [sndUna, sndNext).
    private final long[] start;
    private final int[] length;
    private final byte[] type;
    private final byte[] flags;
    private final long[] sentAt;
    private final byte[] timesSent;
    private final boolean[] sacked;

    int sndUna;
    int sndNext;
    /** Seqs below this edge may be sent (peer's ack + window). */
    int peerEdge;
    /** Next byte of the ring to cut into a packet. */
    long sentPosition;
    /** Message mode: bytes of the current message not yet cut into packets (0 between messages). */
    private int messageRemaining;

    boolean finSent;
    boolean finAcked;
    int finSeq;

    /**
     * Smoothed round trip time, -1 before the first sample. Written by the network thread; read racily by
     * {@link Connection#smoothedRttNanos()} (a 64-bit plain field: a stale value only shifts a bound by a sample).
     */
    private long srtt = -1;

    long srttNanos() { return srtt; }
    private long rttvar;
    /** The timeout the round-trip estimate gives, before backoff. */
    private long baseRto;
    long rto;
    private int consecutiveTimeouts;
    /** When the oldest unacked packet (or a window probe) is due; Long.MAX_VALUE when nothing is due. */
    long rtoDeadline = Long.MAX_VALUE;
    private int dupAcks;
    private boolean inRecovery;
    private int recoverSeq;
    private int lastWindowSeen;

    SendPath(Connection c, EngineConfig config, int isn) {
        this.c = c;
        this.config = config;
        this.window = config.window();
        this.mask = window - 1;
        this.ring = new ByteRing(config.sendBufferBytes());
        this.start = new long[window];
        this.length = new int[window];
        this.type = new byte[window];
        this.flags = new byte[window];
        this.sentAt = new long[window];
        this.timesSent = new byte[window];
        this.sacked = new boolean[window];
        this.sndUna = isn;
        this.sndNext = isn;
        this.peerEdge = isn;
        this.rto = config.initialRtoNanos();
        this.baseRto = rto;
    }

    boolean hasUnacked() { return sndUna != sndNext; }

    /** Cuts new packets from the ring while the windows allow; returns how many went out. */
    int sendNew(Engine e, long now) {
        int sent = 0;
        // Read the FIN request before the ring: the application publishes its last bytes before it asks
        // for the FIN, so a FIN seen here never overtakes bytes written before it.
        boolean finWanted = c.finRequested;
        long available = ring.producerPosition() - sentPosition;
        while (available > 0) {
            if (sndNext - sndUna >= window || !Seq.lt(sndNext, peerEdge)) break;
            int f;
            int len;
            long pos = sentPosition;
            if (c.mode == Mode.STREAM) {
                len = (int) Math.min(available, c.sendPayload);
                f = FLAG_ORDER;
            } else {
                boolean first = messageRemaining == 0;
                if (first) {
                    if (available < 4) break;
                    messageRemaining = ring.readInt(pos);
                    pos += 4;
                    available -= 4;
                }
                len = (int) Math.min(Math.min(available, c.sendPayload), messageRemaining);
                f = (first ? FLAG_FIRST : 0) | (len == messageRemaining ? FLAG_LAST : 0);
                if (!e.sendData(c, TYPE_DATA, f, sndNext, ring, pos, len)) {
                    if (first) messageRemaining = 0;
                    break;
                }
                messageRemaining -= len;
                record(sndNext, pos, len, TYPE_DATA, f, now);
                sentPosition = pos + len;
                available -= len;
                sent++;
                continue;
            }
            if (!e.sendData(c, TYPE_DATA, f, sndNext, ring, pos, len)) break;
            record(sndNext, pos, len, TYPE_DATA, f, now);
            sentPosition = pos + len;
            available -= len;
            sent++;
        }
        if (finWanted && !finSent && available == 0 && messageRemaining == 0
                && sndNext - sndUna < window && Seq.lt(sndNext, peerEdge)) {
            if (e.sendData(c, TYPE_FIN, FLAG_ORDER, sndNext, ring, sentPosition, 0)) {
                finSent = true;
                finSeq = sndNext;
                record(sndNext, sentPosition, 0, TYPE_FIN, FLAG_ORDER, now);
                sent++;
            }
        }
        return sent;
    }

    private void record(int seq, long pos, int len, int t, int f, long now) {
        int i = seq & mask;
        start[i] = pos;
        length[i] = len;
        type[i] = (byte) t;
        flags[i] = (byte) f;
        sentAt[i] = now;
        timesSent[i] = 1;
        sacked[i] = false;
        if (sndUna == sndNext) rtoDeadline = now + rto;
        sndNext = seq + 1;
    }

    private boolean retransmit(Engine e, int seq, long now) {
        int i = seq & mask;
        if (!e.sendData(c, type[i], flags[i], seq, ring, start[i], length[i])) return false;
        sentAt[i] = now;
        if (timesSent[i] < Byte.MAX_VALUE) timesSent[i]++;
        return true;
    }

    /**
     * Takes in the acknowledgment and window carried by every packet but a handshake.
     *
     * @param pureAck the packet was an ACK with nothing else in it (only those count as duplicate acks)
     * @return false if the ack acknowledges something never sent (the packet must be dropped)
     */
    boolean onAck(Engine e, int ack, int peerWindow, boolean pureAck, long sack, long now) {
        if (Seq.gt(ack, sndNext) || Seq.lt(ack, sndUna - window)) return false;
        int edge = ack + Math.max(0, Math.min(peerWindow, window));
        boolean windowGrew = Seq.gt(edge, peerEdge);
        if (windowGrew) peerEdge = edge;
        if (Seq.gt(ack, sndUna)) {
            long released = 0;
            long releaseTo = -1;
            long newestOnce = -1;
            for (int s = sndUna; s != ack; s++) {
                int i = s & mask;
                if (timesSent[i] == 1 && !sacked[i]) newestOnce = sentAt[i];
                releaseTo = start[i] + length[i];
                released += length[i];
                if (type[i] == TYPE_FIN) finAcked = true;
            }
            sndUna = ack;
            if (newestOnce >= 0) sampleRtt(now - newestOnce);
            rto = baseRto;
            ring.release(releaseTo);
            e.counters.add(Counter.BYTES_ACKED, released);
            c.events |= Connection.EVENT_WRITABLE;
            consecutiveTimeouts = 0;
            dupAcks = 0;
            rtoDeadline = hasUnacked() ? now + rto : Long.MAX_VALUE;
            if (inRecovery) {
                if (Seq.geq(ack, recoverSeq)) {
                    inRecovery = false;
                } else if (retransmit(e, sndUna, now)) {
                    e.counters.increment(Counter.RETRANSMITS_PARTIAL_ACK);
                }
            }
        } else if (pureAck && ack == sndUna && hasUnacked() && !windowGrew && peerWindow == lastWindowSeen) {
            if (++dupAcks == 3 && !inRecovery) {
                inRecovery = true;
                recoverSeq = sndNext;
                if (retransmit(e, sndUna, now)) e.counters.increment(Counter.RETRANSMITS_FAST);
            }
        }
        lastWindowSeen = peerWindow;
        if (sack != 0) onSack(e, sack, now);
        return true;
    }

    /**
     * Selective acknowledgment: bit i of {@code sack} says the peer holds seq {@code sndUna + 1 + i}. A packet
     * not held while a later one is, and unanswered for more than a smoothed round trip and a quarter since
     * it was last sent, is taken as lost and sent again: several holes are repaired per round trip.
     */
    private void onSack(Engine e, long sack, long now) {
        int highest = -1;
        for (int b = 0; b < 64; b++) {
            if ((sack & (1L << b)) == 0) continue;
            int s = sndUna + 1 + b;
            if (!Seq.lt(s, sndNext)) break;
            sacked[s & mask] = true;
            highest = b;
        }
        if (highest < 0) return;
        long patience = (srtt < 0 ? rto : srtt + srtt / 4);
        int end = sndUna + 1 + highest;
        for (int s = sndUna; s != end; s++) {
            int i = s & mask;
            if (!sacked[i] && now - sentAt[i] > patience && retransmit(e, s, now)) {
                e.counters.increment(Counter.RETRANSMITS_FAST);
            }
        }
    }

    private void sampleRtt(long r) {
        if (srtt < 0) {
            srtt = r;
            rttvar = r / 2;
        } else {
            long err = r - srtt;
            srtt += err / 8;
            rttvar += (Math.abs(err) - rttvar) / 4;
        }
        baseRto = Math.min(config.maxRtoNanos(), Math.max(config.minRtoNanos(), srtt + Math.max(GRANULARITY_NANOS, 4 * rttvar)));
        rto = baseRto;
    }

    /**
     * Retransmission and persist timers.
     *
     * @return -1 if the peer is to be declared gone, else the number of packets sent
     */
    int onTimer(Engine e, long now) {
        if (now < rtoDeadline) return 0;
        if (hasUnacked()) {
            if (++consecutiveTimeouts > config.maxRetransmits()) return -1;
            inRecovery = false;
            dupAcks = 0;
            rto = Math.min(config.maxRtoNanos(), rto * 2);
            rtoDeadline = now + rto;
            if (retransmit(e, sndUna, now)) {
                e.counters.increment(Counter.RETRANSMITS_TIMEOUT);
                return 1;
            }
            return 0;
        }
        if (windowClosed()) {
            if (++consecutiveTimeouts > config.maxRetransmits() * 4) return -1;
            rtoDeadline = now + Math.min(config.maxRtoNanos(), rto << Math.min(consecutiveTimeouts, 20));
            if (e.sendControl(c, TYPE_PROBE)) e.counters.increment(Counter.PROBES_SENT);
            return 1;
        }
        rtoDeadline = Long.MAX_VALUE;
        return 0;
    }

    /** Data or a FIN waits, nothing is in flight, and the peer's window is shut: arm the persist timer. */
    boolean windowClosed() {
        boolean pending = ring.producerPosition() != sentPosition || (c.finRequested && !finSent);
        return pending && !hasUnacked() && !Seq.lt(sndNext, peerEdge);
    }

    void armPersistIfNeeded(long now) {
        if (rtoDeadline == Long.MAX_VALUE && windowClosed()) {
            consecutiveTimeouts = 0;
            rtoDeadline = now + rto;
        }
    }
}

package io.tux.integration;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Child JVM: unmodified Kafka clients against the broker of {@link KafkaBrokerMain}. Creates a topic with the
 * Admin client, produces {@code n} records ({@link Records}: distinct deterministic keys and values, explicit
 * partitions, acks=all, no compression, so the values cross the network as they are), remembers the offset the
 * broker gave each, then consumes every partition from the beginning (assigned, no consumer group) and checks each
 * record on its own: known key, read once, the partition and offset the producer was told, the exact value.
 * Prints {@code KAFKA produced=.. acked=.. sendErrors=.. consumed=.. exact=.. duplicates=.. wrong=.. firstWrong=..
 * valueBytes=.. produceMs=.. consumeMs=..} and exits 0 (non-zero if anything threw).
 *
 * <p>Arguments: bootstrap servers, topic, records, value size, partitions, seed, watchdog seconds.
 */
public final class KafkaClientMain {
    private KafkaClientMain() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = args[1];
        int n = Integer.parseInt(args[2]);
        int size = Integer.parseInt(args[3]);
        int partitions = Integer.parseInt(args[4]);
        long seed = Long.parseLong(args[5]);
        Watchdog.start(Long.parseLong(args[6]));

        Properties ap = new Properties();
        ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        ap.put(AdminClientConfig.CLIENT_ID_CONFIG, "tux-it-admin");
        try (Admin admin = Admin.create(ap)) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        System.out.println("TOPIC " + topic + " partitions=" + partitions);

        // produce: the offset of each record as the broker acknowledged it (-1: not acknowledged)
        AtomicLongArray offsets = new AtomicLongArray(n);
        for (int i = 0; i < n; i++) {
            offsets.set(i, -1);
        }
        AtomicInteger acked = new AtomicInteger();
        AtomicInteger sendErrors = new AtomicInteger();
        AtomicReference<Exception> firstSendError = new AtomicReference<>();
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pp.put(ProducerConfig.CLIENT_ID_CONFIG, "tux-it-producer");
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        pp.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        pp.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        pp.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(64 * 1024));
        pp.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
        long t0 = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < n; i++) {
                int index = i;
                producer.send(new ProducerRecord<>(topic, i % partitions, Records.key(i), Records.value(seed, i, size)),
                        (md, e) -> {
                            if (e != null) {
                                sendErrors.incrementAndGet();
                                firstSendError.compareAndSet(null, e);
                            } else if (md.partition() == index % partitions) {
                                offsets.set(index, md.offset());
                                acked.incrementAndGet();
                            } else {
                                sendErrors.incrementAndGet();
                            }
                        });
            }
            producer.flush();
        }
        long produceMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("PRODUCED " + n + " acked=" + acked.get() + " sendErrors=" + sendErrors.get()
                + (firstSendError.get() == null ? "" : " first=" + firstSendError.get()) + " in " + produceMs + " ms");

        // consume everything back and check each record
        boolean[] seen = new boolean[n];
        int consumed = 0;
        int exact = 0;
        int duplicates = 0;
        int wrong = 0;
        String firstWrong = "none";
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        cp.put(ConsumerConfig.CLIENT_ID_CONFIG, "tux-it-consumer");
        cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        long t1 = System.nanoTime();
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(cp, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                tps.add(new TopicPartition(topic, p));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps, Duration.ofSeconds(30));
            long expectedTotal = end.values().stream().mapToLong(Long::longValue).sum();
            System.out.println("END OFFSETS " + end + " total=" + expectedTotal);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (consumed < expectedTotal && System.nanoTime() - deadline < 0) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    consumed++;
                    long i = Records.index(r.key());
                    String problem = null;
                    if (i < 0 || i >= n) {
                        problem = "unknown key";
                    } else if (seen[(int) i]) {
                        duplicates++;
                        continue;
                    } else {
                        seen[(int) i] = true;
                        if (r.partition() != i % partitions) {
                            problem = "partition " + r.partition();
                        } else if (r.offset() != offsets.get((int) i)) {
                            problem = "offset " + r.offset() + " acked " + offsets.get((int) i);
                        } else if (!Arrays.equals(r.value(), Records.value(seed, (int) i, size))) {
                            problem = "value differs";
                        }
                    }
                    if (problem == null) {
                        exact++;
                    } else {
                        if (wrong++ == 0) {
                            firstWrong = "record " + i + " at " + r.partition() + "/" + r.offset() + ": " + problem;
                        }
                    }
                }
            }
        }
        long consumeMs = (System.nanoTime() - t1) / 1_000_000;
        System.out.println("KAFKA produced=" + n + " acked=" + acked.get() + " sendErrors=" + sendErrors.get()
                + " consumed=" + consumed + " exact=" + exact + " duplicates=" + duplicates + " wrong=" + wrong
                + " valueBytes=" + (long) n * size + " produceMs=" + produceMs + " consumeMs=" + consumeMs
                + " firstWrong=" + firstWrong.replace(' ', '_'));
        System.out.flush();
        System.exit(0);
    }
}

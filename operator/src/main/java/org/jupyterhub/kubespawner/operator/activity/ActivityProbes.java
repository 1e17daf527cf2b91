package org.jupyterhub.kubespawner.operator.activity;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jupyterhub.kubespawner.operator.vocabulary.Reason;
import org.jupyterhub.kubespawner.v1.JupyterNotebookInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes the activity of running servers, outside the reconciles: each watched server is asked every interval
 * (spread at random over the first interval, so a thousand servers are not asked at once), asynchronously (a
 * server that does not answer costs no thread), and its instance is reconciled only when the answer changes
 * something worth a look: the kind of answer or failure, the last activity moving by the target's resolution,
 * the server turning idle, or its idle limit passing. An unchanged world costs HTTP requests to the servers and
 * nothing else: no reconcile, no API request, no status write.
 *
 * <p>It is a JOSDK event source (reconciles are woken through it); the reconciler asks for the latest reading.
 */
public final class ActivityProbes extends SimpleInboundEventSource<JupyterNotebookInstance> {

    /** The most of an answer that is read. */
    static final int BODY_LIMIT = 64 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(ActivityProbes.class);

    /** One watched server. */
    private final class Probe {
        final ResourceID id;
        final ProbeTarget target;
        final AtomicBoolean inFlight = new AtomicBoolean();
        volatile ActivityReading reading = new ActivityReading.Unknown();
        volatile ActivityReading told = new ActivityReading.Unknown();
        volatile boolean toldIdle;
        volatile boolean toldOverdue;
        volatile ScheduledFuture<?> task;

        Probe(ResourceID id, ProbeTarget target) {
            this.id = id;
            this.target = target;
        }
    }

    private final ProbeTokens tokens;
    private final Clock clock;
    private final Consumer<Reason> outcomes;
    private final Map<ResourceID, Probe> probes = new ConcurrentHashMap<>();
    private volatile HttpClient http;
    private volatile ScheduledExecutorService scheduler;

    /**
     * @param tokens reads a key of a Secret (the probe's token)
     * @param clock the clock
     * @param outcomes counts each probe's outcome (ProbeSucceeded or the failure's reason)
     */
    public ActivityProbes(ProbeTokens.Reader tokens, Clock clock, Consumer<Reason> outcomes) {
        super("activityprobes");
        this.tokens = new ProbeTokens(tokens, clock::instant);
        this.clock = clock;
        this.outcomes = outcomes;
    }

    @Override
    public void start() {
        http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER) // the token goes to the pod and nowhere else
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(30))
                .build();
        scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "activity-probes");
            t.setDaemon(true);
            return t;
        });
        super.start();
    }

    @Override
    public void stop() {
        super.stop();
        ScheduledExecutorService s = scheduler;
        if (s != null) {
            s.shutdownNow();
        }
        probes.clear();
    }

    /**
     * Probes a server from now on (again only when its target changed) and tells what is known.
     *
     * @param id the instance
     * @param target where and how
     * @return the latest reading ({@link ActivityReading.Unknown} until the first answer)
     */
    public ActivityReading watch(ResourceID id, ProbeTarget target) {
        Probe probe = probes.compute(id, (k, old) -> {
            if (old != null && old.target.equals(target)) {
                return old;
            }
            if (old != null && old.task != null) {
                old.task.cancel(false);
            }
            return schedule(new Probe(id, target));
        });
        return probe.reading;
    }

    /**
     * Stops probing a server (suspended, deleted, not ready).
     *
     * @param id the instance
     */
    public void forget(ResourceID id) {
        Probe probe = probes.remove(id);
        if (probe != null && probe.task != null) {
            probe.task.cancel(false);
        }
    }

    /** @return how many servers are probed */
    public int watched() {
        return probes.size();
    }

    private Probe schedule(Probe probe) {
        ScheduledExecutorService s = scheduler;
        if (s == null) {
            return probe; // not started (tests without probing): stays Unknown
        }
        long every = probe.target.interval().toMillis();
        long first = ThreadLocalRandom.current().nextLong(every);
        probe.task = s.scheduleWithFixedDelay(() -> probe(probe), first, every, TimeUnit.MILLISECONDS);
        return probe;
    }

    private void probe(Probe probe) {
        if (!probe.inFlight.compareAndSet(false, true)) {
            return; // the previous probe has not ended (it ends at its timeout at the latest)
        }
        try {
            String token;
            try {
                token = tokens.token(probe.target);
            } catch (RuntimeException e) {
                LOG.debug("reading the probe token of {} failed: {}", probe.id, e.toString());
                token = null;
            }
            if (token == null) {
                done(
                        probe,
                        new ActivityReading.Failure(
                                Reason.ProbeTokenUnavailable,
                                "the probe's token cannot be read: Secret " + probe.target.tokenNamespace() + "/"
                                        + probe.target.tokenSecret() + " or its key " + probe.target.tokenKey()
                                        + " does not exist (or the operator may not read it)"));
                return;
            }
            HttpRequest request = HttpRequest.newBuilder(probe.target.uri())
                    .timeout(probe.target.timeout())
                    .header("Authorization", "token " + token)
                    .header("Accept", "application/json")
                    .GET()
                    .build();
            CompletableFuture<HttpResponse<LimitedBody>> sent =
                    http.sendAsync(request, LimitedBody.handler(BODY_LIMIT));
            ScheduledFuture<?> deadline = scheduler.schedule(
                    () -> sent.cancel(true), probe.target.timeout().toMillis(), TimeUnit.MILLISECONDS);
            sent.whenComplete((response, failure) -> {
                deadline.cancel(false);
                done(
                        probe,
                        failure == null
                                ? ActivityStatus.read(
                                        response.statusCode(),
                                        response.body().bytes(),
                                        response.body().truncated(),
                                        clock.instant())
                                : unreachable(probe.target, failure));
            });
        } catch (RuntimeException e) {
            done(probe, unreachable(probe.target, e));
        }
    }

    private static ActivityReading unreachable(ProbeTarget target, Throwable failure) {
        Throwable cause = failure.getCause() != null && failure instanceof java.util.concurrent.CompletionException
                ? failure.getCause()
                : failure;
        String why;
        if (cause instanceof HttpTimeoutException || cause instanceof java.util.concurrent.CancellationException) {
            why = "did not answer within " + target.timeout().toSeconds() + "s";
        } else if (cause instanceof ConnectException) {
            why = "refused the connection";
        } else {
            why = "failed (" + cause.getClass().getSimpleName() + ")";
        }
        return new ActivityReading.Failure(
                Reason.ProbeUnreachable, "the activity probe of " + target.uri().getPath() + " " + why);
    }

    private void done(Probe probe, ActivityReading reading) {
        probe.reading = reading;
        probe.inFlight.set(false);
        outcomes.accept(reading instanceof ActivityReading.Failure f ? f.reason() : Reason.ProbeSucceeded);
        Instant now = clock.instant();
        boolean idle = isIdleFor(reading, probe.target.resolution(), now);
        boolean overdue = probe.target.idleLimit() != null && isIdleFor(reading, probe.target.idleLimit(), now);
        if (probes.get(probe.id) != probe || !worthWaking(probe, reading, idle, overdue)) {
            return;
        }
        probe.told = reading;
        probe.toldIdle = idle;
        probe.toldOverdue = overdue;
        if (isRunning()) {
            propagateEvent(probe.id);
        }
    }

    private static boolean worthWaking(Probe probe, ActivityReading now, boolean idle, boolean overdue) {
        ActivityReading told = probe.told;
        if (now.getClass() != told.getClass()) {
            return true;
        }
        if (now instanceof ActivityReading.Failure f) {
            return !f.equals(told);
        }
        if (now instanceof ActivityReading.Activity a && told instanceof ActivityReading.Activity b) {
            Duration moved =
                    Duration.between(b.lastActivity(), a.lastActivity()).abs();
            return moved.compareTo(probe.target.resolution()) >= 0
                    || idle != probe.toldIdle
                    || overdue != probe.toldOverdue;
        }
        return false;
    }

    private static boolean isIdleFor(ActivityReading reading, Duration span, Instant now) {
        return reading instanceof ActivityReading.Activity a
                && Duration.between(a.lastActivity(), now).compareTo(span) >= 0;
    }
}

package org.jupyterhub.kubespawner.operator.activity;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read up to a limit: a server answering with megabytes costs the operator the limit, and the rest
 * is never read.
 *
 * @param bytes what was read
 * @param truncated whether the body was longer than the limit
 */
record LimitedBody(byte[] bytes, boolean truncated) {

    /**
     * @param limit the most bytes to keep
     * @return a body handler reading at most that many
     */
    static HttpResponse.BodyHandler<LimitedBody> handler(int limit) {
        return info -> new Subscriber(limit);
    }

    private static final class Subscriber implements HttpResponse.BodySubscriber<LimitedBody> {
        private final int limit;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final CompletableFuture<LimitedBody> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        Subscriber(int limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<LimitedBody> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer b : items) {
                int n = Math.min(b.remaining(), limit - out.size());
                byte[] chunk = new byte[n];
                b.get(chunk);
                out.write(chunk, 0, n);
                if (b.hasRemaining()) {
                    subscription.cancel();
                    result.complete(new LimitedBody(out.toByteArray(), true));
                    return;
                }
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(new LimitedBody(out.toByteArray(), false));
        }
    }
}

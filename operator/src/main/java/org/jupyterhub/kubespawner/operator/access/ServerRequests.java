package org.jupyterhub.kubespawner.operator.access;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The compute resources a server requests, as the scheduler counts them: per pod, the larger of its containers' sum
 * and its largest init container, resource by resource (a container's limit counts where it sets no request, as
 * Kubernetes defaults it); summed over the server's pods. Amounts are exact decimals (cores, bytes, devices).
 */
public final class ServerRequests {

    private ServerRequests() {}

    /**
     * What the pods request.
     *
     * @param pods the server's pods
     * @return amount by resource name (only resources some container asks for)
     */
    public static Map<String, BigDecimal> of(List<Pod> pods) {
        Map<String, BigDecimal> total = new HashMap<>();
        for (Pod pod : pods) {
            if (pod.getSpec() == null) {
                continue;
            }
            Map<String, BigDecimal> containers = new HashMap<>();
            for (Container c : list(pod.getSpec().getContainers())) {
                requests(c).forEach((r, q) -> containers.merge(r, q, BigDecimal::add));
            }
            Map<String, BigDecimal> pod1 = new HashMap<>(containers);
            for (Container c : list(pod.getSpec().getInitContainers())) {
                requests(c).forEach((r, q) -> pod1.merge(r, q, BigDecimal::max));
            }
            pod1.forEach((r, q) -> total.merge(r, q, BigDecimal::add));
        }
        return total;
    }

    private static <T> List<T> list(List<T> l) {
        return l == null ? List.of() : l;
    }

    private static Map<String, BigDecimal> requests(Container c) {
        ResourceRequirements r = c.getResources();
        if (r == null) {
            return Map.of();
        }
        Map<String, BigDecimal> out = new HashMap<>();
        if (r.getLimits() != null) {
            r.getLimits().forEach((name, q) -> out.put(name, amount(q)));
        }
        if (r.getRequests() != null) {
            r.getRequests().forEach((name, q) -> out.put(name, amount(q)));
        }
        return out;
    }

    /**
     * A quantity's exact amount.
     *
     * @param quantity the quantity
     * @return the amount
     * @throws ArithmeticException when it is not a quantity
     */
    public static BigDecimal amount(Quantity quantity) {
        return quantity.getNumericalAmount();
    }

    /**
     * The form recorded in an instance's status.requests: canonical quantities, sorted by resource name.
     *
     * @param requests amounts by resource
     * @return quantity strings by resource
     */
    public static Map<String, String> recorded(Map<String, BigDecimal> requests) {
        Map<String, String> out = new TreeMap<>();
        requests.forEach((r, a) -> out.put(r, format(a)));
        return out;
    }

    /**
     * Reads status.requests back; a value that is not a quantity counts as nothing (the operator wrote it).
     *
     * @param recorded quantity strings by resource, may be null
     * @return amounts by resource
     */
    public static Map<String, BigDecimal> read(Map<String, String> recorded) {
        if (recorded == null || recorded.isEmpty()) {
            return Map.of();
        }
        Map<String, BigDecimal> out = new HashMap<>();
        recorded.forEach((r, q) -> {
            try {
                out.put(r, new Quantity(q).getNumericalAmount());
            } catch (RuntimeException e) {
                // not a quantity (nobody but the operator writes status): counted as nothing
            }
        });
        return out;
    }

    /**
     * A readable amount: whole numbers as they are, binary sizes in Ki..Ti when exact, small fractions in milli.
     *
     * @param amount the amount
     * @return e.g. "4", "500m", "16Gi"
     */
    public static String format(BigDecimal amount) {
        BigDecimal a = amount.stripTrailingZeros();
        if (a.signum() == 0) {
            return "0";
        }
        String[] suffixes = {"Ti", "Gi", "Mi", "Ki"};
        long[] factors = {1L << 40, 1L << 30, 1L << 20, 1L << 10};
        for (int i = 0; i < suffixes.length; i++) {
            BigDecimal f = BigDecimal.valueOf(factors[i]);
            if (a.compareTo(f) >= 0 && a.remainder(f).signum() == 0) {
                return a.divide(f).toPlainString() + suffixes[i];
            }
        }
        if (a.scale() > 0) {
            BigDecimal milli = a.movePointRight(3);
            if (milli.stripTrailingZeros().scale() <= 0) {
                return milli.stripTrailingZeros().toPlainString() + "m";
            }
        }
        return a.toPlainString();
    }
}

package org.jupyterhub.kubespawner.templating;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A template's {@code policy.allowedImages}: every container image (containers, init containers, ephemeral
 * containers) must fully match one of the patterns, where {@code *} matches any characters except {@code /} and
 * {@code **} matches any characters; everything else is literal. {@code quay.io/jupyter/*} allows any image and
 * tag directly under {@code quay.io/jupyter}; {@code **} allows everything (say so on purpose). Immutable and
 * thread-safe.
 */
public final class ImagePolicy {

    private final List<String> patterns;
    private final List<Pattern> compiled;

    private ImagePolicy(List<String> patterns) {
        this.patterns = List.copyOf(patterns);
        List<Pattern> regexes = new ArrayList<>(patterns.size());
        for (String pattern : patterns) {
            regexes.add(toRegex(pattern));
        }
        this.compiled = List.copyOf(regexes);
    }

    /**
     * @param allowedImages the patterns; null entries are ignored
     * @return the policy (an empty list allows nothing)
     */
    public static ImagePolicy of(List<String> allowedImages) {
        List<String> patterns = new ArrayList<>();
        if (allowedImages != null) {
            allowedImages.stream().filter(p -> p != null && !p.isEmpty()).forEach(patterns::add);
        }
        return new ImagePolicy(patterns);
    }

    /** @return the patterns, as written */
    public List<String> patterns() {
        return patterns;
    }

    /**
     * @param image a container image reference
     * @return true if some pattern matches the whole reference
     */
    public boolean allows(String image) {
        if (image == null) {
            return false;
        }
        for (Pattern pattern : compiled) {
            if (pattern.matcher(image).matches()) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param image the offending image
     * @return a message saying what is allowed
     */
    String denial(String image) {
        return "image '" + image + "' is not allowed by the template's policy; allowedImages are " + patterns
                + " ('*' matches any characters except '/', '**' matches any characters)";
    }

    private static Pattern toRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        int literalStart = 0;
        int i = 0;
        while (i < glob.length()) {
            if (glob.charAt(i) == '*') {
                if (i > literalStart) {
                    regex.append(Pattern.quote(glob.substring(literalStart, i)));
                }
                boolean doubleStar = i + 1 < glob.length() && glob.charAt(i + 1) == '*';
                regex.append(doubleStar ? ".*" : "[^/]*");
                i += doubleStar ? 2 : 1;
                literalStart = i;
            } else {
                i++;
            }
        }
        if (literalStart < glob.length()) {
            regex.append(Pattern.quote(glob.substring(literalStart)));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }
}

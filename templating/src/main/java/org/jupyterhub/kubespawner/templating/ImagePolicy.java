package org.jupyterhub.kubespawner.templating;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jupyterhub.kubespawner.templating.core.ErrorKind;
import org.jupyterhub.kubespawner.templating.core.JsonPaths;
import org.jupyterhub.kubespawner.templating.core.TemplateError;
import org.jupyterhub.kubespawner.templating.core.TemplateText;

/**
 * A template's {@code policy.allowedImages}: every container image (containers, init containers, ephemeral
 * containers) must fully match one of the patterns, where {@code *} matches any characters except {@code /} and
 * {@code **} matches any characters; everything else is literal. {@code quay.io/jupyter/*} allows any image and
 * tag directly under {@code quay.io/jupyter}; {@code **} allows everything (say so on purpose). Immutable and
 * thread-safe.
 *
 * <p>The one place images are judged: {@link CompiledTemplate} checks the constant images of every pod spec of a
 * template once when compiling ({@link #checkConstantImages}), and every image of every rendered pod spec after
 * each render ({@link #checkImages}), so a variable can never smuggle in an image the admin did not allow.
 */
public final class ImagePolicy {

    /** The lists of a pod spec that hold containers, each with an {@code image}. */
    private static final List<String> CONTAINER_LISTS = List.of("containers", "initContainers", "ephemeralContainers");

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
     * Checks every image of a rendered pod spec.
     *
     * @param podSpec the pod spec; null is no pod spec (nothing to check)
     * @param podSpecPath its path in the template, for the errors (e.g. {@code pods[0].spec})
     * @param errors receives an {@link ErrorKind#IMAGE_NOT_ALLOWED} error per image not allowed (a missing image too)
     */
    public void checkImages(PodSpec podSpec, String podSpecPath, List<TemplateError> errors) {
        if (podSpec == null) {
            return;
        }
        if (podSpec.getContainers() != null) {
            List<Container> containers = podSpec.getContainers();
            for (int i = 0; i < containers.size(); i++) {
                check(containers.get(i).getImage(), podSpecPath, "containers", i, errors);
            }
        }
        if (podSpec.getInitContainers() != null) {
            List<Container> containers = podSpec.getInitContainers();
            for (int i = 0; i < containers.size(); i++) {
                check(containers.get(i).getImage(), podSpecPath, "initContainers", i, errors);
            }
        }
        if (podSpec.getEphemeralContainers() != null) {
            List<EphemeralContainer> containers = podSpec.getEphemeralContainers();
            for (int i = 0; i < containers.size(); i++) {
                check(containers.get(i).getImage(), podSpecPath, "ephemeralContainers", i, errors);
            }
        }
    }

    /**
     * Checks the images of a pod spec in a template that have no placeholders: they can be judged once, so an admin
     * sees the problem in the template's status. Templated images are left to {@link #checkImages} after rendering.
     *
     * @param podSpec the pod spec as written in the template (a tree); anything else is ignored
     * @param podSpecPath its path in the template, for the errors (e.g. {@code pods[0].spec})
     * @param problems receives an {@link ErrorKind#IMAGE_NOT_ALLOWED} problem per constant image not allowed
     */
    public void checkConstantImages(JsonNode podSpec, String podSpecPath, List<TemplateError> problems) {
        for (String list : CONTAINER_LISTS) {
            JsonNode containers = podSpec.path(list);
            for (int i = 0; i < containers.size(); i++) {
                JsonNode image = containers.get(i).path("image");
                TemplateText text = image.isTextual() ? TemplateText.parse(image.textValue()) : null;
                if (text != null && text.isConstant()) {
                    check(text.render(Map.of()), podSpecPath, list, i, problems);
                }
            }
        }
    }

    private void check(String image, String podSpecPath, String list, int index, List<TemplateError> errors) {
        if (!allows(image)) {
            errors.add(new TemplateError(
                    JsonPaths.field(JsonPaths.index(JsonPaths.field(podSpecPath, list), index), "image"),
                    null,
                    ErrorKind.IMAGE_NOT_ALLOWED,
                    denial(image)));
        }
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

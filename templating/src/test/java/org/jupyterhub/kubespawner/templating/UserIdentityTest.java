package org.jupyterhub.kubespawner.templating;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.jupyterhub.kubespawner.templating.core.ErrorKind;

class UserIdentityTest {

    private static final Map<String, String> BUILTINS = BuiltinVariables.of("inst", "users", "tmpl", "admin");

    private static CompiledTemplate withIdentity(String identity) {
        return CompiledTemplate.compile(
                CompiledTemplateTest.spec("""
            variables:
            - {name: user, required: true, pattern: '[a-z0-9-]+'}
            - {name: unescaped_user, default: 'Someone'}
            pods:
            - name: jupyter-{user}
              spec:
                containers:
                - {name: notebook, image: 'quay.io/jupyter/base-notebook:latest'}
            policy:
              allowedImages: ['**']
            %s
            """.formatted(identity == null ? "" : "  userIdentity: '" + identity + "'")));
    }

    @Test
    void rendersTheIdentityWithValuesDefaultsAndBuiltins() {
        CompiledTemplate template = withIdentity("{unescaped_user}@{namespace}/{user}");
        assertThat(template.problems()).isEmpty();
        assertThat(template.usedBuiltins()).contains("namespace");
        assertThat(template.userIdentity(Map.of("user", "ada", "unescaped_user", "Ada L."), BUILTINS))
                .isEqualTo("Ada L.@users/ada");
        assertThat(template.userIdentity(Map.of("user", "bob"), BUILTINS)).isEqualTo("Someone@users/bob");
    }

    @Test
    void noIdentityIsTheEmptyString() {
        assertThat(withIdentity(null).userIdentity(Map.of("user", "ada"), BUILTINS))
                .isEmpty();
        assertThat(withIdentity("fixed").userIdentity(Map.of("user", "ada"), BUILTINS))
                .isEqualTo("fixed");
    }

    @Test
    void anUndeclaredPlaceholderIsAProblemOfTheTemplate() {
        CompiledTemplate template = withIdentity("{user_name}");
        assertThat(template.problems()).singleElement().satisfies(e -> {
            assertThat(e.path()).isEqualTo("policy.userIdentity");
            assertThat(e.kind()).isEqualTo(ErrorKind.UNDECLARED_PLACEHOLDER);
            assertThat(e.message()).contains("{user_name}", "[user, unescaped_user]");
        });
        assertThat(template.userIdentity(Map.of("user", "ada"), BUILTINS)).isEmpty();
    }

    @Test
    void rejectedValuesGiveNoIdentity() {
        assertThat(withIdentity("{user}").userIdentity(Map.of("user", "Not Valid"), BUILTINS))
                .isEmpty();
    }
}

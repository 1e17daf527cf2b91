package org.jupyterhub.kubespawner.templating.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VariablesTest {

    private static final Set<String> BUILTINS = Set.of("namespace", "instance_name");

    private static Variables compile(VariableDeclaration... declarations) {
        return Variables.compile(List.of(declarations), BUILTINS, "variables");
    }

    private static List<TemplateError> errors(Variables variables, Map<String, String> values) {
        List<TemplateError> errors = new ArrayList<>();
        variables.resolve(values, Map.of("namespace", "ns"), errors);
        return errors;
    }

    private static List<ErrorKind> kinds(List<TemplateError> errors) {
        return errors.stream().map(TemplateError::kind).toList();
    }

    @Test
    void instanceValueWinsOverDefaultAndBuiltinsAreMerged() {
        Variables v = compile(VariableDeclaration.of("image", "base"), VariableDeclaration.of("cpu", "2"));
        List<TemplateError> errors = new ArrayList<>();
        Map<String, String> values =
                v.resolve(Map.of("image", "scipy"), Map.of("namespace", "ns", "other", "x"), errors);
        assertThat(errors).isEmpty();
        assertThat(values).containsExactlyInAnyOrderEntriesOf(Map.of("image", "scipy", "cpu", "2", "namespace", "ns"));
    }

    @Test
    void optionalVariableWithoutDefaultIsEmpty() {
        Variables v = compile(VariableDeclaration.of("opt", null));
        List<TemplateError> errors = new ArrayList<>();
        assertThat(v.resolve(Map.of(), Map.of(), errors)).containsEntry("opt", "");
        assertThat(errors).isEmpty();
    }

    @Test
    void requiredVariableMustBeSetEvenWithADefault() {
        Variables v = compile(new VariableDeclaration("user", null, "fallback", true, null, null, null));
        assertThat(errors(v, Map.of())).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(ErrorKind.MISSING_REQUIRED);
            assertThat(e.variable()).isEqualTo("user");
        });
        assertThat(errors(v, Map.of("user", "ada"))).isEmpty();
    }

    @Test
    void patternMustMatchTheWholeValue() {
        Variables v = compile(VariableDeclaration.required("user", "[a-z]+"));
        assertThat(errors(v, Map.of("user", "ada"))).isEmpty();
        assertThat(errors(v, Map.of("user", "ada1"))).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(ErrorKind.PATTERN_MISMATCH);
            assertThat(e.message()).contains("[a-z]+").contains("ada1");
        });
    }

    @Test
    void maxLengthCountsCodePoints() {
        Variables v = compile(new VariableDeclaration("s", null, null, false, null, 2, null));
        assertThat(errors(v, Map.of("s", "😀😀"))).isEmpty();
        assertThat(kinds(errors(v, Map.of("s", "abc")))).containsExactly(ErrorKind.TOO_LONG);
    }

    @Test
    void enumRestrictsValues() {
        Variables v = compile(new VariableDeclaration("mem", null, "1G", false, null, null, List.of("1G", "2G")));
        assertThat(errors(v, Map.of("mem", "2G"))).isEmpty();
        assertThat(errors(v, Map.of("mem", "64G"))).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(ErrorKind.NOT_IN_ENUM);
            assertThat(e.message()).contains("[1G, 2G]");
        });
    }

    @Test
    void undeclaredAndBuiltinValuesAreRejectedAndAllErrorsCollected() {
        Variables v = compile(VariableDeclaration.required("user", "[a-z]+"), VariableDeclaration.of("cpu", "1"));
        List<TemplateError> errors = errors(v, Map.of("user", "ADA", "gpu", "1", "namespace", "kube-system"));
        assertThat(kinds(errors))
                .containsExactlyInAnyOrder(
                        ErrorKind.PATTERN_MISMATCH, ErrorKind.UNDECLARED_VARIABLE, ErrorKind.BUILTIN_OVERRIDE);
        assertThat(errors)
                .filteredOn(e -> e.kind() == ErrorKind.UNDECLARED_VARIABLE)
                .singleElement()
                .satisfies(e -> assertThat(e.message()).contains("gpu").contains("[user, cpu]"));
    }

    @Test
    void valueOverMaxLengthIsNotFedToThePattern() {
        Variables v = compile(new VariableDeclaration("s", null, null, false, "(a|aa)+b", 10, null));
        assertThat(kinds(errors(v, Map.of("s", "a".repeat(100_000))))).containsExactly(ErrorKind.TOO_LONG);
    }

    @Test
    void regexStackOverflowIsAMismatchNotACrash() {
        Variables v = compile(new VariableDeclaration("s", null, null, false, "(a|b)*", null, null));
        assertThat(kinds(errors(v, Map.of("s", "ab".repeat(200_000) + "c"))))
                .containsExactly(ErrorKind.PATTERN_MISMATCH);
    }

    @Test
    void badDeclarationsAreReportedWithTheirPaths() {
        Variables v = compile(
                VariableDeclaration.of("ok", null),
                VariableDeclaration.of("ok", null),
                VariableDeclaration.of("9bad", null),
                VariableDeclaration.of("namespace", null),
                VariableDeclaration.required("re", "([a-z"),
                new VariableDeclaration("d", null, "UPPER", false, "[a-z]+", 3, List.of("x")),
                new VariableDeclaration("neg", null, null, false, null, -1, null),
                new VariableDeclaration("nul", null, null, false, null, null, Arrays.asList("a", null)));
        assertThat(v.problems())
                .extracting(TemplateError::path, TemplateError::kind)
                .containsExactly(
                        tuple("variables[1].name", ErrorKind.DUPLICATE_VARIABLE),
                        tuple("variables[2].name", ErrorKind.INVALID_DECLARATION),
                        tuple("variables[3].name", ErrorKind.RESERVED_VARIABLE),
                        tuple("variables[4].pattern", ErrorKind.INVALID_DECLARATION),
                        // too long and not in the enum (a value over maxLength is not also matched against the pattern)
                        tuple("variables[5].default", ErrorKind.INVALID_DEFAULT),
                        tuple("variables[5].default", ErrorKind.INVALID_DEFAULT),
                        tuple("variables[6].maxLength", ErrorKind.INVALID_DECLARATION),
                        tuple("variables[7].enum[1]", ErrorKind.INVALID_DECLARATION));
        assertThat(v.declaredNames()).containsExactly("ok", "re", "d", "neg", "nul");
        assertThat(v.isDefined("namespace")).isTrue();
        assertThat(v.isDefined("9bad")).isFalse();
    }
}

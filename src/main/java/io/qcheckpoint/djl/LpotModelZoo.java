package io.qcheckpoint.djl;

import java.util.Set;

/**
 * DJL's model zoo for LPOT checkpoints, group {@value #GROUP_ID}, registered through
 * {@link java.util.ServiceLoader} ({@link LpotZooProvider}); its one loader is {@link LpotModelLoader}.
 */
public final class LpotModelZoo extends ai.djl.repository.zoo.ModelZoo {
    /** The zoo's group id: {@code Criteria.builder().optGroupId(LpotModelZoo.GROUP_ID)} picks it. */
    public static final String GROUP_ID = "io.qcheckpoint";

    /** Creates the zoo with its loader. */
    public LpotModelZoo() {
        addModel(new LpotModelLoader());
    }

    @Override
    public String getGroupId() {
        return GROUP_ID;
    }

    @Override
    public Set<String> getSupportedEngines() {
        return Set.of(QuantizedBlock.ENGINE);
    }
}

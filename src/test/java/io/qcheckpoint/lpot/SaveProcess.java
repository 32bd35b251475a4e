package io.qcheckpoint.lpot;

import io.qcheckpoint.Checkpoints;
import io.qcheckpoint.QuantizedModel;
import io.qcheckpoint.nn.Module;
import java.nio.file.Path;

/**
 * A process that saves one LPOT fixture case to a path, for {@link SaveSurvivesKillsTest} to kill
 * part-way.
 */
public final class SaveProcess {
    private SaveProcess() {
    }

    /**
     * Loads the case and saves it.
     *
     * @param args the case's name under fixtures/lpot, then the checkpoint directory to write
     */
    public static void main(String[] args) throws Exception {
        try (Module fp32 = CheckpointsMatchLpotTest.fp32Model(args[0]);
                QuantizedModel<?> q = Checkpoints.load(CheckpointsMatchLpotTest.FIXTURES.resolve(args[0]), fp32)) {
            q.save(Path.of(args[1]));
        }
    }
}

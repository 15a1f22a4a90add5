// Registered in jest.config.js (setupFilesAfterEnv): runs in each test file's module registry,
// so it sees the directories that file made with tempDir.
import { removeTempDirs } from './temp-dir.js';

afterAll(removeTempDirs);

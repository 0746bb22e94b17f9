// Lets `node --test test/unit/kube-api/` run the whole directory: Node resolves the directory to this file
// through package.json "main". The glob form (`node --test "test/unit/**/*.test.ts"`) does not load it.
import './conformance.test.ts';
import './controllers.test.ts';
import './auth.test.ts';
import './api.test.ts';

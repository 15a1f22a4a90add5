import { resourceNotationProblem } from '../src/rbac/resource-notation.js';

describe('resourceNotationProblem', () => {
  test('is undefined for valid notations', () => {
    for (const notation of ['pods', 'pods/log', 'deployments.apps/scale', '*', '*/scale']) {
      expect(resourceNotationProblem(notation)).toBeUndefined();
    }
  });

  test('names the malformed value and the allowed form', () => {
    expect(resourceNotationProblem('pods//log')).toBe(
      "resource 'pods//log' is malformed: expected 'resource[.group][/subresource]' in lowercase, e.g. 'pods', 'pods/log', 'deployments.apps/scale'",
    );
  });

  // Answers are cached per notation and options: asking again, or with other options, must
  // give what a first question with those options gives.
  test('answers each combination of options on its own, however often asked', () => {
    // GIVEN a resource that the core group does not have, with a suggestion
    const withSuggestion =
      "resource 'deployment' is unknown: the core API group has no resource 'deployment' (RBAC uses plural names); did you mean 'deployments.apps'?";
    const withoutSuggestion =
      "resource 'deployment' is unknown: the core API group has no resource 'deployment' (RBAC uses plural names)";
    for (let round = 0; round < 2; round++) {
      // THEN
      expect(resourceNotationProblem('deployment')).toBe(withSuggestion);
      expect(resourceNotationProblem('deployment', { suggest: false })).toBe(withoutSuggestion);
      expect(resourceNotationProblem('deployment', { catalog: false })).toBeUndefined();
      expect(resourceNotationProblem('deployment', { catalog: true, suggest: true })).toBe(
        withSuggestion,
      );
    }
  });
});

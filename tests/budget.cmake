# Parameter expressions and training-budget axes (docs/budget.md): -R_expr and -train_lr_expr over
# d equal runs with the values given as options, bit for bit; a -grid_train_tasks or
# -grid_train_lr slice equals a run with that single value; B tasks are the first B of more.
set(ICL_CHECK_BUDGET /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/check_budget.py)
add_executable(test_nested_tasks test_nested_tasks.c)
target_link_libraries(test_nested_tasks PRIVATE iclmodel)
add_test(NAME test_nested_tasks COMMAND test_nested_tasks)
set(BUDGET -grid_k 2 -grid_N 10 -models linear,mle -train_steps 20 -eval_M 5,10 -eval_tasks 300 -seed 3)
add_test(NAME budget_expr_run COMMAND ${ICL_SWEEP} ${ICL_OUT}/budget_expr 2 ${BUDGET} -grid_d 8,32 -train_tasks 200
         -R_expr "0.5 * sqrt(d)" -train_lr_expr 0.8/d)
add_test(NAME budget_expr_d8 COMMAND ${ICL_SWEEP} ${ICL_OUT}/budget_expr8 1 ${BUDGET} -grid_d 8 -train_tasks 200
         -grid_R 1.4142135623730951 -train_lr 0.1)
add_test(NAME budget_expr_d32 COMMAND ${ICL_SWEEP} ${ICL_OUT}/budget_expr32 1 ${BUDGET} -grid_d 32 -train_tasks 200
         -grid_R 2.8284271247461903 -train_lr 0.025)
add_test(NAME budget_expr COMMAND ${ICL_CHECK_BUDGET} expr ${ICL_OUT}/budget_expr ${ICL_OUT}/budget_expr8 ${ICL_OUT}/budget_expr32)
set(BUDGET_AXIS ${BUDGET} -grid_d 8 -grid_R 1 -train_lr 0.1)
add_test(NAME budget_tasks_run COMMAND ${ICL_SWEEP} ${ICL_OUT}/budget_tasks 2 ${BUDGET_AXIS} -grid_train_tasks 50,200)
add_test(NAME budget_tasks_50 COMMAND ${ICL_SWEEP} ${ICL_OUT}/budget_tasks50 1 ${BUDGET_AXIS} -train_tasks 50)
add_test(NAME budget_tasks_200 COMMAND ${ICL_SWEEP} ${ICL_OUT}/budget_tasks200 1 ${BUDGET_AXIS} -train_tasks 200)
add_test(NAME budget_tasks COMMAND ${ICL_CHECK_BUDGET} slice ${ICL_OUT}/budget_tasks train_tasks ${ICL_OUT}/budget_tasks50 ${ICL_OUT}/budget_tasks200)
set(BUDGET_LR ${BUDGET} -grid_d 8 -grid_R 1 -train_tasks 100)
add_test(NAME budget_lr_run COMMAND ${ICL_SWEEP} ${ICL_OUT}/budget_lr 2 ${BUDGET_LR} -grid_train_lr 0.05,0.2)
add_test(NAME budget_lr_05 COMMAND ${ICL_SWEEP} ${ICL_OUT}/budget_lr05 1 ${BUDGET_LR} -train_lr 0.05)
add_test(NAME budget_lr_2 COMMAND ${ICL_SWEEP} ${ICL_OUT}/budget_lr2 1 ${BUDGET_LR} -train_lr 0.2)
add_test(NAME budget_lr COMMAND ${ICL_CHECK_BUDGET} slice ${ICL_OUT}/budget_lr train_lr ${ICL_OUT}/budget_lr05 ${ICL_OUT}/budget_lr2)
set_tests_properties(budget_expr_run budget_tasks_run budget_lr_run PROPERTIES PROCESSORS 2)
set_tests_properties(budget_expr_run budget_expr_d8 budget_expr_d32 PROPERTIES FIXTURES_SETUP budget_expr)
set_tests_properties(budget_expr PROPERTIES FIXTURES_REQUIRED budget_expr)
set_tests_properties(budget_tasks_run budget_tasks_50 budget_tasks_200 PROPERTIES FIXTURES_SETUP budget_tasks)
set_tests_properties(budget_tasks PROPERTIES FIXTURES_REQUIRED budget_tasks)
set_tests_properties(budget_lr_run budget_lr_05 budget_lr_2 PROPERTIES FIXTURES_SETUP budget_lr)
set_tests_properties(budget_lr PROPERTIES FIXTURES_REQUIRED budget_lr)
add_test(NAME budget_input COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/budget_input.sh ${ICL_OUT}/budget_input)
add_test(NAME budget_merge COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/budget_merge.sh ${ICL_OUT}/budget_merge)
# Shared training (checkpoints in T, step sizes on one K): axis slices equal runs alone, a unit
# partly done resumes, shards merge, plan counts a T axis once.
add_test(NAME budget_units COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/budget_units.sh ${ICL_OUT}/budget_units)
set_tests_properties(budget_units PROPERTIES PROCESSORS 2)

app_name = "villages"

urlpatterns = []
